package dev.wirewatch.sensor.emit;

import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.FlowActivity;
import dev.wirewatch.schemas.FlowKey;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;

/**
 * The sensor's emission policy (DESIGN.md, "Sensor emission"). In {@link EmissionMode#FULL} every header goes out.
 * In {@link EmissionMode#CONTROL} a bounded flow table lets through every packet that can change a connection's
 * state (see {@link ActiveFlow}) and folds the steady rest of each TCP and UDP flow into one {@link FlowActivity}
 * per flow per {@link #flush}, which the sensor calls before every Tick. A flow's summary is also sent before
 * any of its packets that goes out in full, so each flow's records stay in capture order. Not thread-safe.
 */
public final class EmissionPolicy {
    public static final int DEFAULT_MAX_FLOWS = 65_536;
    /** Flows silent this long leave the table (their next packet goes out in full anyway). */
    private static final long FORGET_AFTER_MICROS = 60_000_000;
    private static final int TCP = 6;
    private static final int UDP = 17;

    private record FlowId(String iface, ByteBuffer key) {}

    private final EmissionMode mode;
    private final Consumer<SpecificRecord> out;
    private final Map<FlowId, ActiveFlow> flows;
    private long packets;
    private long records;
    private long summaries;
    private long evicted;

    public EmissionPolicy(EmissionMode mode, int maxFlows, Consumer<SpecificRecord> out) {
        if (maxFlows < 1) {
            throw new IllegalArgumentException("the flow table needs room for at least one flow: " + maxFlows);
        }
        this.mode = mode;
        this.out = out;
        // Access order: when full, the least recently active flow leaves first, after sending its summary.
        this.flows = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<FlowId, ActiveFlow> eldest) {
                if (size() <= maxFlows) {
                    return false;
                }
                sendSummary(eldest.getValue());
                evicted++;
                return true;
            }
        };
    }

    public void accept(PacketEvent packet) {
        packets++;
        int protocol = packet.getProtocol();
        if (mode == EmissionMode.FULL || (protocol != TCP && protocol != UDP)) {
            send(packet);
            return;
        }
        FlowId id = new FlowId(packet.getIface(), ByteBuffer.wrap(FlowKey.of(packet).toBytes()));
        ActiveFlow flow = flows.get(id);
        if (flow == null) {
            flow = new ActiveFlow(packet);
            flows.put(id, flow);
        }
        if (flow.mustSendInFull(packet)) {
            sendSummary(flow);
            flow.sentInFull(packet);
            send(packet);
        } else {
            flow.summarise(packet);
        }
    }

    /** Sends every pending summary and forgets flows silent for a minute; {@code nowMicros} is capture time. */
    public void flush(long nowMicros) {
        Iterator<ActiveFlow> iterator = flows.values().iterator();
        while (iterator.hasNext()) {
            ActiveFlow flow = iterator.next();
            sendSummary(flow);
            if (nowMicros - flow.lastTsMicros() > FORGET_AFTER_MICROS) {
                iterator.remove();
            }
        }
    }

    /**
     * Sends the pending summaries and forgets every flow, so that each flow's next packet goes out in full. After
     * records were lost on the way to Kafka, a flow's later summaries might have no connection to land on.
     */
    public void forgetFlows() {
        flows.values().forEach(this::sendSummary);
        flows.clear();
    }

    private void sendSummary(ActiveFlow flow) {
        FlowActivity summary = flow.drainSummary();
        if (summary != null) {
            summaries++;
            send(summary);
        }
    }

    private void send(SpecificRecord record) {
        records++;
        out.accept(record);
    }

    /** Packets offered to the policy. */
    public long packets() {
        return packets;
    }

    /** Records it let out: packets in full and summaries. */
    public long records() {
        return records;
    }

    public long summaries() {
        return summaries;
    }

    /** Flows pushed out of a full table. */
    public long evicted() {
        return evicted;
    }

    public int activeFlows() {
        return flows.size();
    }
}
