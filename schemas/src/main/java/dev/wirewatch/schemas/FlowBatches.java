package dev.wirewatch.schemas;

import dev.wirewatch.record.BatchedPacket;
import dev.wirewatch.record.FlowActivity;
import dev.wirewatch.record.FlowBatch;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.SteadyTraffic;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;

/**
 * A {@link FlowBatch} is a flow's PacketEvents and FlowActivities from one vantage, with what the flow states once
 * (host, interface, addresses, ports) written once. Packing and unpacking are exact inverses: a reader that unpacks
 * a batch sees the very records the sensor would have sent one by one, in the same order.
 */
public final class FlowBatches {
    private FlowBatches() {}

    /**
     * Packs {@code items}: PacketEvents (TCP or UDP, no ICMP) and FlowActivities of the flow {@code orientation}
     * belongs to, as one host and interface captured them, in capture order. The batch's forward direction is the
     * orientation packet's sender, as a FlowActivity's is.
     */
    public static FlowBatch pack(PacketEvent orientation, List<SpecificRecord> items) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("an empty batch");
        }
        long first = timeOf(items.get(0));
        long last = first;
        List<Object> packed = new ArrayList<>(items.size());
        for (SpecificRecord item : items) {
            long ts = timeOf(item);
            last = Math.max(last, ts);
            if (item instanceof PacketEvent packet) {
                if (packet.getIcmp() != null) {
                    throw new IllegalArgumentException("ICMP is not batched: it is keyed by what it quotes");
                }
                packed.add(new BatchedPacket(isForward(orientation, packet), ts - first, packet.getSrcMac(),
                        packet.getDstMac(), packet.getVlan(), packet.getTtl(), packet.getIpLength(), packet.getTcp()));
            } else if (item instanceof FlowActivity activity) {
                packed.add(new SteadyTraffic(ts - first, activity.getForward(), activity.getReverse()));
            } else {
                throw new IllegalArgumentException("not batched: " + item.getSchema().getName());
            }
        }
        return new FlowBatch(orientation.getHost(), orientation.getIface(), orientation.getIpVersion(),
                orientation.getSrc(), orientation.getDst(), orientation.getProtocol(), orientation.getSrcPort(),
                orientation.getDstPort(), first, last, packed);
    }

    /** The records the batch stands for, in order. */
    public static List<SpecificRecord> unpack(FlowBatch batch) {
        List<SpecificRecord> records = new ArrayList<>(batch.getItems().size());
        unpack(batch, records::add);
        return records;
    }

    public static void unpack(FlowBatch batch, Consumer<SpecificRecord> out) {
        long first = batch.getFirstTsMicros();
        for (Object item : batch.getItems()) {
            if (item instanceof BatchedPacket packet) {
                boolean forward = packet.getForward();
                out.accept(new PacketEvent(batch.getHost(), batch.getIface(), first + packet.getOffsetMicros(),
                        packet.getSrcMac(), packet.getDstMac(), packet.getVlan(), batch.getIpVersion(),
                        copy(forward ? batch.getSrc() : batch.getDst()), copy(forward ? batch.getDst() : batch.getSrc()),
                        batch.getProtocol(), forward ? batch.getSrcPort() : batch.getDstPort(),
                        forward ? batch.getDstPort() : batch.getSrcPort(), packet.getTtl(), packet.getIpLength(),
                        packet.getTcp(), null));
            } else if (item instanceof SteadyTraffic steady) {
                out.accept(new FlowActivity(batch.getHost(), batch.getIface(), first + steady.getOffsetMicros(),
                        batch.getIpVersion(), copy(batch.getSrc()), copy(batch.getDst()), batch.getProtocol(),
                        batch.getSrcPort(), batch.getDstPort(), steady.getForward(), steady.getReverse()));
            }
        }
    }

    /** The records a record from ww.packets stands for: a batch's items, or the record itself. */
    public static List<SpecificRecord> itemsOf(SpecificRecord record) {
        return record instanceof FlowBatch batch ? unpack(batch) : List.of(record);
    }

    /** How many packet headers a batch carries in full. */
    public static int packets(FlowBatch batch) {
        int count = 0;
        for (Object item : batch.getItems()) {
            count += item instanceof BatchedPacket ? 1 : 0;
        }
        return count;
    }

    /** Capture time of a batchable item: a PacketEvent's, or a FlowActivity's (its last packet's). */
    public static long timeOf(SpecificRecord item) {
        if (item instanceof PacketEvent packet) {
            return packet.getTsMicros();
        }
        if (item instanceof FlowActivity activity) {
            return activity.getTsMicros();
        }
        throw new IllegalArgumentException("not batched: " + item.getSchema().getName());
    }

    private static boolean isForward(PacketEvent orientation, PacketEvent packet) {
        return packet.getSrcPort() == orientation.getSrcPort() && packet.getSrc().equals(orientation.getSrc());
    }

    /** Each record gets its own view of the address: readers may move a buffer's position. */
    private static ByteBuffer copy(ByteBuffer address) {
        return address.duplicate();
    }
}
