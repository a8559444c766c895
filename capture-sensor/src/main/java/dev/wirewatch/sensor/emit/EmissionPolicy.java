package dev.wirewatch.sensor.emit;

import dev.wirewatch.record.FlowActivity;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.schemas.FlowBatches;
import dev.wirewatch.schemas.FlowKey;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;

/**
 * The sensor's emission policy (docs/architecture.md, "Sensor emission"). In {@link EmissionMode#FULL} every header
 * goes out.
 * In {@link EmissionMode#CONTROL} a bounded flow table keeps every packet that can change a connection's state
 * (see {@link ActiveFlow}) and folds the steady rest of each TCP and UDP flow into {@link FlowActivity} summaries;
 * at each {@link #flush}, which the sensor calls before every Tick, each flow's held items go out as one
 * {@link dev.wirewatch.record.FlowBatch} (or as the one record it holds). So a short flow costs one record per
 * vantage, not one per packet, and records scale with flows. A flow's items keep their capture order, and flows
 * go out in the order of their last item, so stream time never passes a flow whose earlier packets are still held.
 * Not thread-safe.
 */
public final class EmissionPolicy {
    public static final int DEFAULT_MAX_FLOWS = 65_536;
    /** Headers held across all flows before they go out early, bounding the sensor's memory between flushes. */
    public static final int DEFAULT_MAX_HELD = 131_072;
    /**
     * Items one flow holds before they go out early: keeps a batch far below Kafka's 1 MiB record limit (about 40
     * bytes an item) when a one-sided flow sends every packet in full.
     */
    static final int MAX_ITEMS_PER_BATCH = 2_048;
    /** Flows silent this long leave the table (their next packet goes out in full anyway). */
    private static final long FORGET_AFTER_MICROS = 60_000_000;

    private record FlowId(String iface, ByteBuffer key) {}

    private final EmissionMode mode;
    private final Consumer<SpecificRecord> out;
    private final Consumer<PacketEvent> inFull;
    private final int maxHeld;
    private final Map<FlowId, ActiveFlow> flows;
    /** Flows that held or summarised something since the last flush: a flush visits these, not the whole table. */
    private final Set<ActiveFlow> dirty = new LinkedHashSet<>();
    private long packets;
    private long records;
    private long summaries;
    private long batches;
    private long evicted;
    private int held;

    public EmissionPolicy(EmissionMode mode, int maxFlows, Consumer<SpecificRecord> out) {
        this(mode, maxFlows, DEFAULT_MAX_HELD, out, packet -> { });
    }

    /** @param inFull sees every packet that goes out in full (alone or in a batch) as it is taken */
    public EmissionPolicy(EmissionMode mode, int maxFlows, int maxHeld, Consumer<SpecificRecord> out,
                          Consumer<PacketEvent> inFull) {
        if (maxFlows < 1 || maxHeld < 1) {
            throw new IllegalArgumentException("the flow table needs room for at least one flow and one header");
        }
        this.mode = mode;
        this.out = out;
        this.inFull = inFull;
        this.maxHeld = maxHeld;
        // Access order: when full, the least recently active flow leaves first, after sending what it holds.
        this.flows = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<FlowId, ActiveFlow> eldest) {
                if (size() <= maxFlows) {
                    return false;
                }
                release(eldest.getValue(), true);
                dirty.remove(eldest.getValue());
                eldest.getValue().dirty = false;
                evicted++;
                return true;
            }
        };
    }

    public void accept(PacketEvent packet) {
        packets++;
        int protocol = packet.getProtocol();
        if (mode == EmissionMode.FULL) {
            inFull.accept(packet);
            send(packet);
            return;
        }
        if (protocol != FlowKey.TCP && protocol != FlowKey.UDP) {
            // ICMP is keyed by the flow it quotes: that flow's held packets go first, so it finds the flow open.
            releaseFlowOf(packet.getIface(), FlowKey.of(packet));
            inFull.accept(packet);
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
            hold(flow, flow.drainSummary());
            flow.sentInFull(packet);
            inFull.accept(packet);
            hold(flow, packet);
            if (flow.held().size() >= MAX_ITEMS_PER_BATCH) {
                release(flow, false);
            } else if (held >= maxHeld) {
                releaseAll(false);
            }
        } else {
            flow.summarise(packet);
        }
        if (!flow.dirty) {
            flow.dirty = true;
            dirty.add(flow);
        }
    }

    /**
     * A record about one flow that is not a packet of it (a kernel drop of its SYN): the flow's held items go out
     * first, so the processor knows the flow when the record arrives.
     */
    public void releaseFlowOf(String iface, FlowKey key) {
        ActiveFlow flow = flows.get(new FlowId(iface, ByteBuffer.wrap(key.toBytes())));
        if (flow != null) {
            release(flow, true);
        }
    }

    /** Sends everything held and every pending summary, and forgets flows silent for a minute; capture time. */
    public void flush(long nowMicros) {
        releaseAll(true);
        // Access order puts the flows without a packet for longest first: stop at the first one still active.
        Iterator<ActiveFlow> eldest = flows.values().iterator();
        while (eldest.hasNext()) {
            if (nowMicros - eldest.next().lastTsMicros() <= FORGET_AFTER_MICROS) {
                break;
            }
            eldest.remove();
        }
    }

    /**
     * Sends what is held and forgets every flow, so that each flow's next packet goes out in full. After records
     * were lost on the way to Kafka, a flow's later summaries might have no connection to land on.
     */
    public void forgetFlows() {
        releaseAll(true);
        flows.clear();
    }

    /** Sends the held items of every dirty flow, oldest last item first; with summaries, the flows are clean after. */
    private void releaseAll(boolean withSummaries) {
        List<ActiveFlow> holding = new ArrayList<>();
        for (ActiveFlow flow : dirty) {
            if (withSummaries) {
                hold(flow, flow.drainSummary());
                flow.dirty = false;
            }
            if (!flow.held().isEmpty()) {
                holding.add(flow);
            }
        }
        if (withSummaries) {
            dirty.clear();
        }
        holding.sort(Comparator.comparingLong(ActiveFlow::heldUntilMicros));
        holding.forEach(flow -> release(flow, false));
    }

    private void hold(ActiveFlow flow, SpecificRecord item) {
        if (item == null) {
            return;
        }
        if (item instanceof FlowActivity) {
            summaries++;
        } else {
            held++;
        }
        flow.hold(item);
    }

    /** Sends the flow's held items: one record alone, several as a batch. */
    private void release(ActiveFlow flow, boolean withSummary) {
        if (withSummary) {
            hold(flow, flow.drainSummary());
        }
        List<SpecificRecord> items = flow.held();
        if (items.isEmpty()) {
            return;
        }
        for (SpecificRecord item : items) {
            held -= item instanceof PacketEvent ? 1 : 0;
        }
        if (items.size() == 1) {
            send(items.get(0));
        } else {
            batches++;
            send(FlowBatches.pack(flow.first(), items));
        }
        flow.releaseHeld();
    }

    private void send(SpecificRecord record) {
        records++;
        out.accept(record);
    }

    /** Packets offered to the policy. */
    public long packets() {
        return packets;
    }

    /** Records it let out: packets in full, summaries and batches of them. */
    public long records() {
        return records;
    }

    /** Summaries of steady traffic made, alone or in batches. */
    public long summaries() {
        return summaries;
    }

    /** Records that carried several of a flow's items. */
    public long batches() {
        return batches;
    }

    /** Flows pushed out of a full table. */
    public long evicted() {
        return evicted;
    }

    public int activeFlows() {
        return flows.size();
    }
}
