package dev.wirewatch.processor.flow;

import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.schemas.FlowKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * All connections one vantage sees, split as Zeek splits them: a connection ends when one of its timers expires
 * (at or before the next packet's time, as Zeek's timers fire before the packet that passes them), or when a
 * packet on its addresses and ports starts a new connection. Packets must come in time order.
 *
 * <p>The single-vantage twin of the processor's flow store: for replaying a capture and comparing with a
 * conn.log, and for any consumer that wants finished connections as they end.
 */
public final class ConversationTracker {
    private final ConnectionTimeouts timeouts;
    private final Map<FlowKey, ConnectionView> open = new LinkedHashMap<>();

    public ConversationTracker(ConnectionTimeouts timeouts) {
        this.timeouts = timeouts;
    }

    /** Every connection in {@code packets} (one vantage, time order), in the order they ended. */
    public static List<ConnectionView> replay(Iterable<PacketEvent> packets, ConnectionTimeouts timeouts) {
        ConversationTracker tracker = new ConversationTracker(timeouts);
        List<ConnectionView> all = new ArrayList<>();
        for (PacketEvent packet : packets) {
            all.addAll(tracker.observe(packet));
        }
        all.addAll(tracker.finishAll());
        return all;
    }

    /**
     * Adds one packet to its connection. Returns the connections that ended before it, in the order their timers
     * expired, then the one it replaced if it starts a new connection on the same 5-tuple.
     */
    public List<ConnectionView> observe(PacketEvent packet) {
        List<ConnectionView> finished = advanceTo(packet.getTsMicros());
        if (packet.getIcmp() != null && packet.getIcmp().getQuoted() != null) {
            return finished; // an ICMP error belongs to the flow it quotes, not to a connection of its own
        }
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
        return finished;
    }

    /** Ends the connections whose timers expire at or before {@code nowMicros}, in expiry order. */
    public List<ConnectionView> advanceTo(long nowMicros) {
        List<ConnectionView> expired = new ArrayList<>();
        Iterator<ConnectionView> views = open.values().iterator();
        while (views.hasNext()) {
            ConnectionView view = views.next();
            if (view.expiresAtMicros(timeouts) <= nowMicros) {
                expired.add(view);
                views.remove();
            }
        }
        expired.sort(Comparator.comparingLong(view -> view.expiresAtMicros(timeouts)));
        return expired;
    }

    /** Ends every connection still open (the end of the input), in the order they started. */
    public List<ConnectionView> finishAll() {
        List<ConnectionView> all = new ArrayList<>(open.values());
        open.clear();
        return all;
    }

    /** How many connections are open. */
    public int openConnections() {
        return open.size();
    }
}
