package dev.wirewatch.processor.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.SampleCase;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Severity;
import java.math.BigDecimal;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seed case 8 as real kernels made it, on IPv4 (deploy/samples/08-redirect-ignored) and on IPv6
 * (11-redirect-ignored-ipv6, ICMPv6 redirects): r1 redirects host and host2 to r2; host ignores the redirects, host2
 * follows them. The truth comes from tshark on each host's capture: its first redirect (time, the router's address
 * and MAC, the next hop it names), then the destination MAC of every echo request it sent after the grace (in the 5 s
 * from the first one that still went to the router), and which of those got no reply ({@code resp_not_found}).
 */
class RedirectIgnoredCaptureTest {

    /** One recording, and tshark's names for its redirects and echo requests. */
    record Recording(String sample, String hostAddress, String host2Address, String destination, String redirects,
                     String routerField, String nextHopField, String requests, String notFound, String route) {
        private static final Recording V4 = new Recording("08-redirect-ignored", "10.8.0.10", "10.8.0.11", "10.9.0.20",
                "icmp.type == 5", "ip.src", "icmp.redir_gw", "icmp.type == 8 && ip.src == ", "icmp.resp_not_found",
                "ip route add 10.9.0.20 via 10.8.0.2");
        // A redirect quotes an echo request: requests are the frames that are not redirects.
        private static final Recording V6 = new Recording("11-redirect-ignored-ipv6", "2001:db8:8::10",
                "2001:db8:8::11", "2001:db8:9::20", "icmpv6.type == 137", "ipv6.src", "icmpv6.nd.rd.target_address",
                "!icmpv6.nd.rd.target_address && icmpv6.type == 128 && ipv6.src == ", "icmpv6.resp_not_found",
                "ip -6 route add 2001:db8:9::20 via fe80::2 dev eth0"); // a link-local next hop needs its interface

        @Override
        public String toString() {
            return sample;
        }

        SampleCase sampleCase() {
            return new SampleCase(sample);
        }

        List<Alert> alerts() {
            return sampleCase().alerts(ProcessorConfig.DEFAULTS, new SampleCase.Capture("host", "eth0", "host.pcap"),
                    new SampleCase.Capture("host2", "eth0", "host2.pcap"),
                    new SampleCase.Capture("server", "eth0", "server.pcap"));
        }
    }

    static Stream<Recording> recordings() {
        return Stream.of(Recording.V4, Recording.V6);
    }

    /** What tshark reads from one host's capture. */
    private record Truth(String router, String routerMac, String suggested, long viaRouter, boolean lost) {}

    private static Truth truth(Recording recording, String host, String address) throws Exception {
        SampleCase sample = recording.sampleCase();
        String file = host + ".pcap";
        List<String[]> redirects = sample.tshark(file, recording.redirects(), "frame.time_epoch", recording.routerField(),
                "eth.src", recording.nextHopField());
        String[] redirect = redirects.get(0);
        // Evidence starts after the second redirect's grace (Linux drops a first one to an unresolved next hop); a
        // host that followed the first one has no second.
        long graceEnds = redirects.size() < 2 ? Long.MAX_VALUE
                : micros(redirects.get(1)[0]) + ProcessorConfig.DEFAULTS.redirectGraceMicros();
        long windowEnds = graceEnds + ProcessorConfig.DEFAULTS.redirectObserveWindowMicros();
        long viaRouter = 0;
        boolean lost = false;
        long evidenceEnds = windowEnds;
        String requests = recording.requests() + address;
        List<String> unanswered = sample.tshark(file, requests + " && " + recording.notFound(), "frame.number")
                .stream().map(row -> row[0]).toList();
        for (String[] request : sample.tshark(file, requests, "frame.time_epoch", "eth.dst", "frame.number")) {
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("recordings")
    void theHostThatKeepsUsingTheOldRouterIsReportedWithItsLoss(Recording recording) throws Exception {
        Truth host = truth(recording, "host", recording.hostAddress());
        assertTrue(host.viaRouter() > 0, "the recording has host ignoring the redirect");
        List<Alert> alerts = recording.alerts();
        List<Alert> ignored = alerts.stream().filter(alert -> alert.getType().equals(IcmpRedirectIgnoredDetector.TYPE))
                .filter(alert -> "host".equals(alert.getHost())).toList();
        assertEquals(1, ignored.size(), alerts.toString());
        Alert alert = ignored.get(0);
        assertEquals(recording.destination(), alert.getDstIp());
        assertEquals(host.router(), alert.getGateway());
        assertEquals(host.suggested(), alert.getSuggestedGateway());
        assertEquals(host.viaRouter(), alert.getCount());
        assertEquals(host.lost(), alert.getLoss());
        assertEquals(host.lost() ? Severity.critical : Severity.warning, alert.getSeverity());
        assertTrue(alert.getHint().contains(recording.route()), alert.getHint());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recordings")
    void theHostThatFollowsTheRedirectIsSilent(Recording recording) throws Exception {
        Truth host2 = truth(recording, "host2", recording.host2Address());
        assertEquals(0, host2.viaRouter(), "the recording has host2 following the redirect");
        assertEquals(List.of(), recording.alerts().stream().filter(alert -> "host2".equals(alert.getHost())).toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recordings")
    void nothingElseIsFound(Recording recording) {
        List<Alert> alerts = recording.alerts();
        assertEquals(List.of(IcmpRedirectIgnoredDetector.TYPE), alerts.stream().map(Alert::getType).toList(),
                alerts.toString());
    }
}
