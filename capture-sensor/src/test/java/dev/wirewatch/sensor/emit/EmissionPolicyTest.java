package dev.wirewatch.sensor.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.record.FlowActivity;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.sensor.FileEventSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** The flow table on the kernel-made bulk capture (deploy/captures/bulk-transfer). */
class EmissionPolicyTest {
    private static final Path BULK = Path.of(System.getProperty("wirewatch.samples", "../deploy/samples"))
            .resolveSibling("captures").resolve("bulk-transfer/client.pcap");

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
        long inFull = out.stream().filter(PacketEvent.class::isInstance).count();
        long summarised = out.stream().filter(FlowActivity.class::isInstance).map(FlowActivity.class::cast)
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
            int before = out.size();
            policy.accept(packets.get(i));
            if (i > 1000 && out.size() == before) {
                steady = i; // this packet was summarised
            }
        }
        assertTrue(steady > 0, "some packet is summarised");
        PacketEvent next = packets.get(steady + 1);
        policy.forgetFlows();
        int before = out.size();
        policy.accept(next);
        assertEquals(next, out.get(out.size() - 1), "the next packet goes out as it is");
        assertTrue(out.size() > before);
    }

    @Test
    void aFullTableSummarisesAndEvictsTheLeastRecentFlow() {
        List<SpecificRecord> out = new ArrayList<>();
        EmissionPolicy policy = new EmissionPolicy(EmissionMode.CONTROL, 2, out::add);
        List<PacketEvent> packets = packets();
        packets.forEach(policy::accept);
        policy.flush(Long.MAX_VALUE);
        assertTrue(policy.evicted() > 0, "the capture has more than two flows at a time");
        long summarised = out.stream().filter(FlowActivity.class::isInstance).map(FlowActivity.class::cast)
                .mapToLong(a -> a.getForward().getPackets() + a.getReverse().getPackets()).sum();
        long inFull = out.stream().filter(PacketEvent.class::isInstance).count();
        assertEquals(packets.size(), inFull + summarised, "eviction loses no packet");
    }
}
