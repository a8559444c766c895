package dev.wirewatch.sensor.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.record.FlowActivity;
import dev.wirewatch.record.FlowBatch;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.schemas.FlowBatches;
import dev.wirewatch.schemas.FlowKey;
import dev.wirewatch.sensor.FileEventSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** The flow table on the kernel-made bulk capture (deploy/captures/bulk-transfer). */
class EmissionPolicyTest {
    private static final Path BULK = Path.of(System.getProperty("wirewatch.samples", "../deploy/samples"))
            .resolveSibling("captures").resolve("bulk-transfer/client.pcap");

    /** What the policy sent, with batches unpacked into the records they stand for. */
    private static List<SpecificRecord> unpacked(List<SpecificRecord> out) {
        return out.stream().flatMap(record -> FlowBatches.itemsOf(record).stream()).toList();
    }

    private static List<PacketEvent> packets() {
        return FileEventSource.readAll(BULK, "client").stream().filter(PacketEvent.class::isInstance)
                .map(PacketEvent.class::cast).toList();
    }

    @Test
    void steadyTrafficIsSummarisedAndEverySummarisedPacketIsCounted() {
        List<SpecificRecord> out = new ArrayList<>();
        EmissionPolicy policy = new EmissionPolicy(EmissionMode.CONTROL, 1024, out::add);
        List<PacketEvent> packets = packets();
        packets.forEach(policy::accept);
        policy.flush(Long.MAX_VALUE);
        List<SpecificRecord> records = unpacked(out);
        long inFull = records.stream().filter(PacketEvent.class::isInstance).count();
        long summarised = records.stream().filter(FlowActivity.class::isInstance).map(FlowActivity.class::cast)
                .mapToLong(a -> a.getForward().getPackets() + a.getReverse().getPackets()).sum();
        assertEquals(packets.size(), inFull + summarised, "every packet goes out in full or inside a summary");
        assertTrue(out.size() * 20L < packets.size(), "bulk traffic: fewer than 0.05 records per packet, got " + out.size());
    }

    @Test
    void afterForgettingFlowsTheNextPacketOfASteadyFlowGoesOutInFull() {
        List<SpecificRecord> out = new ArrayList<>();
        EmissionPolicy policy = new EmissionPolicy(EmissionMode.CONTROL, 1024, out::add);
        List<PacketEvent> packets = packets();
        int steady = -1;
        for (int i = 0; i < packets.size() && steady < 0; i++) {
            long before = policy.summaries();
            policy.accept(packets.get(i));
            policy.flush(packets.get(i).getTsMicros());
            if (i > 1000 && policy.summaries() > before) {
                steady = i; // this packet was summarised
            }
        }
        assertTrue(steady > 0, "some packet is summarised");
        PacketEvent next = packets.get(steady + 1);
        policy.forgetFlows();
        int before = out.size();
        policy.accept(next);
        policy.flush(next.getTsMicros());
        assertEquals(before + 1, out.size());
        assertEquals(next, out.get(out.size() - 1), "the next packet goes out as it is");
    }

    @Test
    void aFullTableSummarisesAndEvictsTheLeastRecentFlow() {
        List<SpecificRecord> out = new ArrayList<>();
        EmissionPolicy policy = new EmissionPolicy(EmissionMode.CONTROL, 2, out::add);
        List<PacketEvent> packets = packets();
        packets.forEach(policy::accept);
        policy.flush(Long.MAX_VALUE);
        assertTrue(policy.evicted() > 0, "the capture has more than two flows at a time");
        out = unpacked(out);
        long summarised = out.stream().filter(FlowActivity.class::isInstance).map(FlowActivity.class::cast)
                .mapToLong(a -> a.getForward().getPackets() + a.getReverse().getPackets()).sum();
        long inFull = out.stream().filter(PacketEvent.class::isInstance).count();
        assertEquals(packets.size(), inFull + summarised, "eviction loses no packet");
    }

    @Test
    void aShortFlowWithinOneSecondIsOneRecordAndNothingGoesOutBeforeTheFlush() {
        Path capture = BULK.getParent().getParent().getParent().resolve("samples/03-port-moved/client.pcap");
        List<PacketEvent> packets = FileEventSource.readAll(capture, "client").stream()
                .filter(PacketEvent.class::isInstance).map(PacketEvent.class::cast).toList();
        List<SpecificRecord> out = new ArrayList<>();
        EmissionPolicy policy = new EmissionPolicy(EmissionMode.CONTROL, 1024, out::add);
        Map<String, List<Long>> timesByFlow = new TreeMap<>();
        long flushedAt = packets.get(0).getTsMicros();
        int sentAtFlush = 0;
        for (PacketEvent packet : packets) {
            if (packet.getTsMicros() - flushedAt >= 1_000_000) {
                policy.flush(packet.getTsMicros());
                flushedAt = packet.getTsMicros();
                sentAtFlush = out.size();
            }
            policy.accept(packet);
            assertEquals(sentAtFlush, out.size(), "between flushes nothing goes out");
            timesByFlow.computeIfAbsent(FlowKey.of(packet).toString(), k -> new ArrayList<>()).add(packet.getTsMicros());
        }
        int beforeFlush = out.size();
        policy.flush(Long.MAX_VALUE);
        assertTrue(out.size() > beforeFlush, "the last second's packets are held until the flush");

        Map<String, Long> recordsByFlow = new TreeMap<>();
        for (SpecificRecord record : out) {
            String key = record instanceof FlowBatch batch ? keyOf(FlowBatches.unpack(batch).get(0))
                    : keyOf(record);
            recordsByFlow.merge(key, 1L, Long::sum);
        }
        long shortFlows = 0;
        for (Map.Entry<String, List<Long>> flow : timesByFlow.entrySet()) {
            List<Long> times = flow.getValue();
            if (times.size() >= 5 && times.get(times.size() - 1) - times.get(0) < 10_000) {
                shortFlows++;
                assertTrue(recordsByFlow.get(flow.getKey()) <= 2, "a flow of " + times.size()
                        + " packets within 10 ms goes out as one record (two if a flush fell inside it): " + flow.getKey());
            }
        }
        assertTrue(shortFlows >= 2, "the capture holds complete short flows: " + shortFlows);
        List<SpecificRecord> records = unpacked(out);
        List<SpecificRecord> inFull = records.stream().filter(PacketEvent.class::isInstance).toList();
        long summarised = records.stream().filter(FlowActivity.class::isInstance).map(FlowActivity.class::cast)
                .mapToLong(a -> a.getForward().getPackets() + a.getReverse().getPackets()).sum();
        assertEquals(packets.size(), inFull.size() + summarised, "every packet in full or in a summary");
        assertTrue(packets.containsAll(inFull), "packets in batches are the captured ones, unchanged");
    }

    private static String keyOf(SpecificRecord record) {
        return record instanceof FlowActivity activity ? FlowKey.of(activity).toString()
                : FlowKey.of((PacketEvent) record).toString();
    }

    @Test
    void aOneSidedFlowSendsEveryPacketInBatchesOfBoundedSize() {
        // The client's half of the kernel-made upload only: the server is never seen, so nothing is steady.
        List<PacketEvent> packets = packets();
        PacketEvent first = packets.get(0);
        List<PacketEvent> oneSided = packets.stream().filter(packet -> packet.getSrc().equals(first.getSrc())
                && packet.getSrcPort() == first.getSrcPort()).toList();
        assertTrue(oneSided.size() > EmissionPolicy.MAX_ITEMS_PER_BATCH, "a long one-sided flow: " + oneSided.size());
        List<SpecificRecord> out = new ArrayList<>();
        EmissionPolicy policy = new EmissionPolicy(EmissionMode.CONTROL, 1024, out::add);
        oneSided.forEach(policy::accept);
        policy.flush(Long.MAX_VALUE);
        assertTrue(out.stream().allMatch(record -> !(record instanceof FlowBatch batch)
                || batch.getItems().size() <= EmissionPolicy.MAX_ITEMS_PER_BATCH), "no batch above the cap");
        assertTrue(out.size() >= 2, "more than one batch");
        assertEquals(oneSided, unpacked(out), "every packet, in order, in full");
    }
}
