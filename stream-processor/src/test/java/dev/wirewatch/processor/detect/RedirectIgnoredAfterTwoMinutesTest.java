package dev.wirewatch.processor.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.SampleCase;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Severity;
import java.math.BigDecimal;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seed case 8 at a real pace (deploy/captures/long-idle/08-redirect-2m): the kernel recording with two minutes between
 * echo rounds from the second round on, as a host that polls a server every two minutes. host got r1's redirect in
 * the first round and still sends the third, two minutes later, to r1's MAC: it ignores the redirect. The truth is
 * tshark's: host's redirects (time, router MAC, gateways) and the destination MAC of each echo request it sent.
 */
class RedirectIgnoredAfterTwoMinutesTest {
    private static final SampleCase SET = SampleCase.longIdle("08-redirect-2m");
    private static final long TWO_MINUTES_LESS_A_LITTLE = 100_000_000;
    private static List<Alert> alerts;

    @BeforeAll
    static void analyze() {
        alerts = SET.alerts(ProcessorConfig.DEFAULTS, new SampleCase.Capture("host", "eth0", "host.pcap"),
                new SampleCase.Capture("host2", "eth0", "host2.pcap"),
                new SampleCase.Capture("server", "eth0", "server.pcap"));
    }

    private static long micros(String epoch) {
        return new BigDecimal(epoch).movePointRight(6).longValueExact();
    }

    @Test
    void theHostThatSendsThroughTheOldRouterMinutesAfterItsRedirectIsReported() throws Exception {
        List<String[]> redirects = SET.tshark("host.pcap", "icmp.type == 5", "frame.time_epoch", "ip.src", "eth.src",
                "icmp.redir_gw");
        List<Long> redirectTimes = redirects.stream().map(row -> micros(row[0])).toList();
        String routerMac = redirects.get(0)[2];
        // host's echo requests to r1's MAC that left long after the last redirect before them.
        Set<Long> lateViaRouter = SET.tshark("host.pcap", "icmp.type == 8 && ip.src == 10.8.0.10", "frame.time_epoch",
                        "eth.dst").stream()
                .filter(row -> row[1].equals(routerMac)).map(row -> micros(row[0]))
                .filter(at -> redirectTimes.stream().anyMatch(redirect -> redirect < at) && redirectTimes.stream()
                        .allMatch(redirect -> redirect >= at || at - redirect >= TWO_MINUTES_LESS_A_LITTLE))
                .collect(Collectors.toSet());
        assertFalse(lateViaRouter.isEmpty(), "the set has host sending to r1 minutes after a redirect");

        List<Alert> ignored = alerts.stream().filter(alert -> alert.getType().equals(IcmpRedirectIgnoredDetector.TYPE))
                .filter(alert -> "host".equals(alert.getHost())).toList();
        assertFalse(ignored.isEmpty(), "ICMP_REDIRECT_IGNORED for host; all alerts: " + alerts);
        for (Alert alert : ignored) {
            assertEquals("10.9.0.20", alert.getDstIp());
            assertEquals(redirects.get(0)[1], alert.getGateway());
            assertEquals(redirects.get(0)[3], alert.getSuggestedGateway());
            assertTrue(alert.getSeverity().compareTo(Severity.warning) >= 0, alert.getSummary());
            assertTrue(redirectTimes.contains(alert.getFirstSeenMicros()), "first_seen is a redirect: " + alert.getSummary());
            assertTrue(lateViaRouter.contains(alert.getLastSeenMicros()),
                    "last_seen is a request to r1 minutes after a redirect: " + alert.getSummary());
            assertTrue(alert.getCount() >= 1 && alert.getCount() <= lateViaRouter.size(), alert.getSummary());
        }
    }

    @Test
    void nothingElseIsFound() {
        assertEquals(List.of(), alerts.stream().filter(alert -> !alert.getType().equals(IcmpRedirectIgnoredDetector.TYPE)
                || !"host".equals(alert.getHost())).toList());
    }
}
