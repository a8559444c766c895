package dev.wirewatch.processor.flow;

import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.schemas.FlowKey;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * All connections one vantage sees, split as Zeek splits them: a connection ends when one of its timers
 * expires before the next packet, or when a packet reuses its addresses and ports for a new connection.
 * The single-vantage twin of the processor's flow store, for replaying a capture and comparing with conn.log.
 */
public final class ConversationTracker {
    private final ConnectionTimeouts timeouts;
    private final Map<FlowKey, ConnectionView> open = new LinkedHashMap<>();
    private final List<ConnectionView> finished = new ArrayList<>();

    public ConversationTracker(ConnectionTimeouts timeouts) {
        this.timeouts = timeouts;
    }

    public void observe(PacketEvent packet) {
        if (packet.getIcmp() != null && packet.getIcmp().getQuoted() != null) {
            return; // an ICMP error belongs to the flow it quotes, not to a connection of its own
        }
        expireBefore(packet.getTsMicros());
        FlowKey key = FlowKey.of(packet);
        ConnectionView view = open.get(key);
        if (view != null && view.startsNewConnection(packet)) {
            finished.add(open.remove(key));
            view = null;
        }
        if (view == null) {
            open.put(key, ConnectionView.start(packet));
        } else {
            view.observe(packet);
        }
    }

    private void expireBefore(long nowMicros) {
        Iterator<ConnectionView> views = open.values().iterator();
        while (views.hasNext()) {
            ConnectionView view = views.next();
            if (view.expiresAtMicros(timeouts) <= nowMicros) {
                finished.add(view);
                views.remove();
            }
        }
    }

    /** Every connection, finished ones first in the order they ended, then those still open at the end. */
    public List<ConnectionView> finishAll() {
        List<ConnectionView> all = new ArrayList<>(finished);
        all.addAll(open.values());
        open.clear();
        finished.clear();
        return all;
    }
}
