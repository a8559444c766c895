package dev.wirewatch.processor.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.SampleCase;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Severity;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seed case 8 as real kernels made it (deploy/samples/08-redirect-ignored): r1 redirects host and host2 to r2; host
 * ignores the redirects, host2 follows them. The truth comes from tshark on each host's capture: its first redirect
 * (time, the router's MAC, the gateway it names), then the destination MAC of every echo request it sent after the
 * grace (in the 5 s from the first one that still went to the router), and which of those got no reply ({@code icmp.resp_not_found}).
 */
class RedirectIgnoredCaptureTest {
    private static final SampleCase CASE_8 = new SampleCase("08-redirect-ignored");
    private static List<Alert> alerts;

    /** What tshark reads from one host's capture. */
    private record Truth(String router, String routerMac, String suggested, long viaRouter, boolean lost) {}

    @BeforeAll
    static void analyze() {
        alerts = CASE_8.alerts(ProcessorConfig.DEFAULTS, new SampleCase.Capture("host", "eth0", "host.pcap"),
                new SampleCase.Capture("host2", "eth0", "host2.pcap"),
                new SampleCase.Capture("server", "eth0", "server.pcap"));
    }

    private static List<String[]> tshark(String host, String filter, String... fields) throws Exception {
        return CASE_8.tshark(host + ".pcap", filter, fields);
    }

    private static Truth truth(String host, String address) throws Exception {
        List<String[]> redirects = tshark(host, "icmp.type == 5", "frame.time_epoch", "ip.src", "eth.src", "icmp.redir_gw");
        String[] redirect = redirects.get(0);
        // Evidence starts after the second redirect's grace (Linux drops a first one to an unresolved next hop).
        long graceEnds = micros(redirects.get(1)[0]) + ProcessorConfig.DEFAULTS.redirectGraceMicros();
        long windowEnds = graceEnds + ProcessorConfig.DEFAULTS.redirectObserveWindowMicros();
        long viaRouter = 0;
        boolean lost = false;
        long evidenceEnds = windowEnds;
        String requests = "icmp.type == 8 && ip.src == " + address;
        List<String> unanswered = tshark(host, requests + " && icmp.resp_not_found", "frame.number").stream()
                .map(row -> row[0]).toList();
        for (String[] request : tshark(host, requests, "frame.time_epoch", "eth.dst", "frame.number")) {
            long at = micros(request[0]);
            if (at >= graceEnds && at < evidenceEnds && request[1].equals(redirect[2])) {
                if (viaRouter++ == 0) { // the evidence: what went the old way in the 5 s from the first such packet
                    evidenceEnds = Math.min(windowEnds, at + 5_000_000);
                }
                lost |= unanswered.contains(request[2]);
            }
        }
        return new Truth(redirect[1], redirect[2], redirect[3], viaRouter, lost);
    }

    private static long micros(String epoch) {
        return new BigDecimal(epoch).movePointRight(6).longValueExact();
    }

    @Test
    void theHostThatKeepsUsingTheOldRouterIsReportedWithItsLoss() throws Exception {
        Truth host = truth("host", "10.8.0.10");
        assertTrue(host.viaRouter() > 0, "the recording has host ignoring the redirect");
        List<Alert> ignored = alerts.stream().filter(alert -> alert.getType().equals(IcmpRedirectIgnoredDetector.TYPE))
                .filter(alert -> "host".equals(alert.getHost())).toList();
        assertEquals(1, ignored.size(), alerts.toString());
        Alert alert = ignored.get(0);
        assertEquals("10.9.0.20", alert.getDstIp());
        assertEquals(host.router(), alert.getGateway());
        assertEquals(host.suggested(), alert.getSuggestedGateway());
        assertEquals(host.viaRouter(), alert.getCount());
        assertEquals(host.lost(), alert.getLoss());
        assertEquals(host.lost() ? Severity.critical : Severity.warning, alert.getSeverity());
    }

    @Test
    void theHostThatFollowsTheRedirectIsSilent() throws Exception {
        Truth host2 = truth("host2", "10.8.0.11");
        assertEquals(0, host2.viaRouter(), "the recording has host2 following the redirect");
        assertEquals(List.of(), alerts.stream().filter(alert -> "host2".equals(alert.getHost())).toList());
    }

    @Test
    void nothingElseIsFound() {
        assertEquals(List.of(IcmpRedirectIgnoredDetector.TYPE), alerts.stream().map(Alert::getType).toList(),
                alerts.toString());
    }
}
