package dev.wirewatch.app.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.ModeComparison;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.schemas.FlowKey;
import dev.wirewatch.sensor.FileEventSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Production-shaped traffic (bench generate's mix: short flows, half IPv6, DNS, ICMP, keep-alive sessions and
 * anomalies at known rates) gives the same findings and flow records in both emission modes, one- and two-sided;
 * control mode ships far fewer records than packets; and the findings are the generator's ground truth.
 */
class EmissionModesAgreeOnTheMixTest {
    private static final double MAX_RECORDS_PER_PACKET = 0.15;
    /** Slow enough that the capture (10 s) outlasts many SYN-answer timeouts (5 s). */
    private static final double RATE = 4_000;
    private static final long SYN_ANSWER_TIMEOUT_MICROS = ProcessorConfig.DEFAULTS.synAnswerTimeoutMicros();

    @Test
    void oneSidedMix(@TempDir Path temp) throws Exception {
        Path capture = temp.resolve("client.pcap");
        MixTruth truth = MixCaptureGenerator.write(capture, null, MixCaptureGenerator.Options.defaults(40_000, 3).withRate(RATE));
        ModeComparison.Outcome control = ModeComparison.assertModesAgree("mix, one side", List.of(capture), null);
        assertFewRecords(control);
        assertEquals(unansweredInTime(capture, endOf(capture)).size(), count(control, "UNANSWERED_SYN"),
                "one finding per unanswered flow\n" + truth.table());
    }

    @Test
    void twoSidedMix(@TempDir Path temp) throws Exception {
        Path client = temp.resolve("client.pcap");
        Path server = temp.resolve("server.pcap");
        MixTruth truth = MixCaptureGenerator.write(client, server, MixCaptureGenerator.Options.defaults(40_000, 4).withRate(RATE));
        Path topology = temp.resolve("topology.yaml");
        MixTopology.write(topology);
        ModeComparison.Outcome control = ModeComparison.assertModesAgree("mix, two sides", List.of(client, server),
                topology);
        assertFewRecords(control);
        long end = Math.max(endOf(client), endOf(server));
        Set<String> unanswered = unansweredInTime(client, end);
        assertEquals(unanswered.size(), count(control, "UNANSWERED_SYN"), truth.table());
        Set<String> reachedServer = new HashSet<>(unansweredInTime(server, Long.MAX_VALUE));
        reachedServer.retainAll(unanswered);
        assertTrue(!reachedServer.isEmpty() && reachedServer.size() < unanswered.size(), "some SYNs were lost before the server");
        assertEquals(reachedServer.size(), count(control, "DROPPED_AT_SERVER_HOST"), "the SYNs the server's capture saw arrive");
    }

    private static void assertFewRecords(ModeComparison.Outcome control) {
        double perPacket = control.totals().packetRecords() / (double) control.totals().packets();
        assertTrue(perPacket <= MAX_RECORDS_PER_PACKET, "control mode records per packet: " + perPacket);
    }

    /**
     * Read from the capture, not the generator: TCP conversations of nothing but three or more SYNs whose first SYN
     * came a SYN-answer timeout or more before {@code endMicros} (later ones had no time to be judged unanswered).
     */
    private static Set<String> unansweredInTime(Path capture, long endMicros) {
        Map<String, List<PacketEvent>> byFlow = new HashMap<>();
        for (PacketEvent packet : packets(capture)) {
            if (packet.getTcp() != null) {
                byFlow.computeIfAbsent(FlowKey.of(packet).toString(), key -> new ArrayList<>()).add(packet);
            }
        }
        Set<String> unanswered = new HashSet<>();
        byFlow.forEach((key, packets) -> {
            if (packets.size() >= 3 && packets.stream().allMatch(packet -> packet.getTcp().getFlags() == 0x02)
                    && endMicros - packets.get(0).getTsMicros() >= SYN_ANSWER_TIMEOUT_MICROS) {
                unanswered.add(key);
            }
        });
        return unanswered;
    }

    private static long endOf(Path capture) {
        return packets(capture).stream().mapToLong(PacketEvent::getTsMicros).max().orElseThrow();
    }

    private static List<PacketEvent> packets(Path capture) {
        return FileEventSource.readAll(capture, "h").stream().map(PacketEvent.class::cast).toList();
    }

    private static long count(ModeComparison.Outcome outcome, String text) {
        return outcome.alerts().stream().filter(alert -> alert.contains(text)).count();
    }
}
