package dev.wirewatch.processor.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.SampleCase;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.record.Alert;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What must stay silent at real idle times (deploy/captures/long-idle): a session that idles 15 minutes or 2 hours and
 * whose keep-alives are all answered (bob, in the stretched case 6), and a host that followed the redirect and sends
 * every round, two minutes apart, to the new next hop (host2, in the stretched case 8). The truth is tshark's.
 */
class LongIdleTrapsTest {
    private static final String CLIENT = "198.51.100.10";

    private static long micros(String epoch) {
        return new BigDecimal(epoch).movePointRight(6).longValueExact();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"06-idle-15m, 900", "06-idle-2h, 7200"})
    void aSessionIdleForLongWhoseKeepAlivesAreAnsweredIsHealthy(String name, long idleSeconds) throws Exception {
        SampleCase set = SampleCase.longIdle(name);
        Map<String, Long> probes = set.tshark("client.pcap", "tcp.analysis.keep_alive && ip.src == " + CLIENT,
                "tcp.srcport").stream().collect(Collectors.groupingBy(row -> row[0], TreeMap::new, Collectors.counting()));
        Map<String, Long> answers = set.tshark("client.pcap", "tcp.analysis.keep_alive_ack", "tcp.dstport").stream()
                .collect(Collectors.groupingBy(row -> row[0], TreeMap::new, Collectors.counting()));
        List<String> healthy = probes.keySet().stream().filter(port -> probes.get(port).equals(answers.get(port))).toList();
        assertEquals(1, healthy.size(), "one client port whose probes were all answered: " + probes + " " + answers);
        String port = healthy.get(0);
        List<Long> times = set.tshark("client.pcap", "tcp.port == " + port, "frame.time_epoch").stream()
                .map(row -> micros(row[0])).toList();
        long firstProbe = micros(set.tshark("client.pcap", "tcp.analysis.keep_alive && tcp.port == " + port,
                "frame.time_epoch").get(0)[0]);
        long before = times.stream().filter(t -> t < firstProbe).mapToLong(Long::longValue).max().orElseThrow();
        assertTrue(firstProbe - before >= idleSeconds * 1_000_000, "the session idles " + idleSeconds + " s first");

        List<Alert> alerts = set.alerts(ProcessorConfig.DEFAULTS, new SampleCase.Capture("client", null, "client.pcap"),
                new SampleCase.Capture("server", null, "server.pcap"));
        assertEquals(List.of(), alerts.stream().filter(alert -> (CLIENT + ":" + port).equals(alert.getClient())).toList());
    }

    @Test
    void aHostThatFollowedTheRedirectIsSilentMinutesLater() throws Exception {
        SampleCase set = SampleCase.longIdle("08-redirect-2m");
        List<String[]> redirects = set.tshark("host2.pcap", "icmp.type == 5", "frame.time_epoch", "eth.src");
        long lastRedirect = micros(redirects.get(redirects.size() - 1)[0]);
        List<String[]> later = set.tshark("host2.pcap", "icmp.type == 8 && ip.src == 10.8.0.11", "frame.time_epoch",
                "eth.dst").stream().filter(row -> micros(row[0]) > lastRedirect).toList();
        assertTrue(later.size() > 10, "host2 pings on after its last redirect");
        assertTrue(micros(later.get(later.size() - 1)[0]) - lastRedirect > 3_000_000_000L, "for most of an hour");
        assertFalse(later.stream().anyMatch(row -> row[1].equals(redirects.get(0)[1])), "all to the new next hop");

        List<Alert> alerts = set.alerts(ProcessorConfig.DEFAULTS, new SampleCase.Capture("host", "eth0", "host.pcap"),
                new SampleCase.Capture("host2", "eth0", "host2.pcap"),
                new SampleCase.Capture("server", "eth0", "server.pcap"));
        assertEquals(List.of(), alerts.stream().filter(alert -> "host2".equals(alert.getHost())).toList());
    }
}
