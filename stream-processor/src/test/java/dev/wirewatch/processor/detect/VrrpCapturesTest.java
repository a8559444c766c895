package dev.wirewatch.processor.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.SampleCase;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.record.Alert;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Real keepalived pairs (deploy/samples/10-vrrp-advertisements-blocked/record.sh): with node1's VRRP multicast blocked
 * towards node2 (the sample) and in a clean failover (the same script with WW_VRRP_FAULT=none, in
 * deploy/captures/vrrp/clean-failover). The times and counts are checked against tshark's reading of the captures.
 */
class VrrpCapturesTest {
    private static final SampleCase BLOCKED = new SampleCase("10-vrrp-advertisements-blocked");
    private static final SampleCase CLEAN = SampleCase.at(Path.of(System.getProperty("wirewatch.captures",
            "../deploy/captures")).resolve("vrrp/clean-failover"));
    private static final SampleCase.Capture[] HOSTS = {new SampleCase.Capture("node1", null, "node1.pcap"),
        new SampleCase.Capture("node2", null, "node2.pcap"), new SampleCase.Capture("peer", null, "peer.pcap")};
    private static final String NODE1_ADVERTS_V4 = "vrrp.virt_rtr_id == 10 && eth.src == 02:00:00:00:10:01";
    private static final String NODE2_ADVERTS_V4 = "vrrp.virt_rtr_id == 10 && eth.src == 02:00:00:00:10:02 && vrrp.prio > 0";

    private static long micros(String epoch) {
        return new BigDecimal(epoch).movePointRight(6).longValueExact();
    }

    private static List<Long> times(SampleCase set, String file, String filter) throws Exception {
        return set.tshark(file, filter, "frame.time_epoch").stream().map(row -> micros(row[0])).toList();
    }

    @Test
    void node2StopsHearingNode1AndTakesOverWhileNode1StillAdvertises() throws Exception {
        List<SampleCase.Timed> timed = BLOCKED.timedAlerts(ProcessorConfig.DEFAULTS, 30, HOSTS);
        Alert unheard = only(timed, "ANNOUNCEMENT_NOT_PROPAGATED", 10);
        Alert splitBrain = only(timed, "VRRP_SPLIT_BRAIN", 10);

        // tshark: the last of node1's advertisements that node2's sensor heard, and those node1's sensor saw leave after.
        List<Long> heardByNode2 = times(BLOCKED, "node2.pcap", NODE1_ADVERTS_V4);
        long lastHeard = heardByNode2.get(heardByNode2.size() - 1);
        List<Long> sentAfter = times(BLOCKED, "node1.pcap", NODE1_ADVERTS_V4).stream()
                .filter(ts -> ts > lastHeard + 500_000 && ts <= unheard.getLastSeenMicros()).toList();
        assertEquals(lastHeard, unheard.getFirstSeenMicros(), unheard.getSummary());
        assertEquals(sentAfter.size(), unheard.getCount(), unheard.getSummary());
        assertEquals(sentAfter.get(sentAfter.size() - 1), unheard.getLastSeenMicros());
        // Reported once the silence is longer than VRRP's master-down interval (3 x 1 s + skew), with the clock skew.
        assertTrue(sentAfter.size() >= 4 && sentAfter.size() <= 7, unheard.getSummary());
        assertEquals("node1", unheard.getHost());
        assertEquals("node2", unheard.getMissingAt());
        assertEquals("VRRP", unheard.getProtocol());

        // tshark: node2's first advertisement as master, which its own sensor saw first.
        long node2Master = times(BLOCKED, "node2.pcap", NODE2_ADVERTS_V4).get(0);
        assertEquals(node2Master, splitBrain.getFirstSeenMicros(), splitBrain.getSummary());
        assertEquals(List.of("02:00:00:00:10:01", "02:00:00:00:10:02"), splitBrain.getMasters());
        assertEquals(List.of("node1", "node2"), splitBrain.getMasterHosts());
        assertEquals("192.0.2.100", splitBrain.getIp());

        // Both come out while the pair still runs (stream time), not only when the input ends.
        List<Long> node1Sent = times(BLOCKED, "node1.pcap", NODE1_ADVERTS_V4);
        for (SampleCase.Timed each : timed) {
            if (each.alert().getType().startsWith("VRRP") || "VRRP".equals(each.alert().getProtocol())) {
                assertFalse(each.atEnd(), each.alert().getSummary());
                assertTrue(each.emittedAtMicros() <= node1Sent.get(node1Sent.size() - 1), each.alert().getSummary());
            }
        }
    }

    @Test
    void aCleanFailoverIsNeitherSplitBrainNorUnheard() throws Exception {
        // tshark: node1 resigned (priority 0) and node2 advertised after it, heard by every sensor.
        assertFalse(times(CLEAN, "peer.pcap", "vrrp.virt_rtr_id == 10 && vrrp.prio == 0").isEmpty());
        long resigned = times(CLEAN, "peer.pcap", "vrrp.virt_rtr_id == 10 && vrrp.prio == 0").get(0);
        for (String host : List.of("node1", "node2", "peer")) {
            assertTrue(times(CLEAN, host + ".pcap", NODE2_ADVERTS_V4).stream().anyMatch(ts -> ts > resigned + 3_000_000),
                    host + " hears node2 as master");
        }
        assertEquals(List.of(), vrrpFindings(CLEAN.alerts(ProcessorConfig.DEFAULTS, HOSTS)));
        // The twin: the same script and pair with the block reports both, for both routers.
        assertEquals(List.of("ANNOUNCEMENT_NOT_PROPAGATED 10", "ANNOUNCEMENT_NOT_PROPAGATED 11", "VRRP_SPLIT_BRAIN 10",
                "VRRP_SPLIT_BRAIN 11"), vrrpFindings(BLOCKED.alerts(ProcessorConfig.DEFAULTS, HOSTS)));
    }

    private static List<String> vrrpFindings(List<Alert> alerts) {
        return alerts.stream().filter(alert -> alert.getType().equals("VRRP_SPLIT_BRAIN")
                || alert.getType().equals("ANNOUNCEMENT_NOT_PROPAGATED"))
                .map(alert -> alert.getType() + " " + alert.getVrid()).sorted().toList();
    }

    private static Alert only(List<SampleCase.Timed> timed, String type, int vrid) {
        List<Alert> found = timed.stream().map(SampleCase.Timed::alert)
                .filter(alert -> alert.getType().equals(type) && Integer.valueOf(vrid).equals(alert.getVrid())).toList();
        assertEquals(1, found.size(), type + " vrid " + vrid + ": " + found);
        return found.get(0);
    }
}
