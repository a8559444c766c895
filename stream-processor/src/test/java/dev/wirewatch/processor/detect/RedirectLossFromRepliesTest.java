package dev.wirewatch.processor.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.SampleCase;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.record.Alert;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ICMP_REDIRECT_IGNORED's {@code loss} on a lab recording of seed case 8 (deploy/captures/redirect-late-replies):
 * host ignores r1's redirects and r1 drops 30 % of what it forwards. Two of the requests host sent through r1 in the
 * five seconds of evidence got no reply, and the replies to the requests sent just after those five seconds came
 * within the clock skew that answers are awaited for: they must not stand in for the lost ones. The truth is
 * tshark's: each echo request's reply or "response not found".
 */
class RedirectLossFromRepliesTest {
    private static final SampleCase SET = SampleCase.at(Path.of(System.getProperty("wirewatch.captures",
            "../deploy/captures")).resolve("redirect-late-replies"));
    private static final long EVIDENCE_MICROS = 5_000_000;
    private static final String HOST_REQUESTS_VIA_R1 =
            "icmp.type == 8 && ip.src == 10.8.0.10 && eth.dst == 02:00:00:00:08:01";

    private static long micros(String epoch) {
        return new BigDecimal(epoch).movePointRight(6).longValueExact();
    }

    @Test
    void requestsThroughTheOldRouterThatGotNoReplyAreLoss() throws Exception {
        List<Alert> ignored = SET.alerts(ProcessorConfig.DEFAULTS,
                        new SampleCase.Capture("host", "eth0", "host.pcap"),
                        new SampleCase.Capture("host2", "eth0", "host2.pcap"),
                        new SampleCase.Capture("server", "eth0", "server.pcap"))
                .stream().filter(alert -> alert.getType().equals(IcmpRedirectIgnoredDetector.TYPE)).toList();
        assertEquals(1, ignored.size(), "one ICMP_REDIRECT_IGNORED, for host: " + ignored);
        Alert alert = ignored.get(0);
        assertEquals("host", alert.getHost());

        // The evidence: host's requests through r1 from the second redirect's grace on, for five seconds.
        long secondRedirect = micros(SET.tshark("host.pcap", "icmp.type == 5", "frame.time_epoch").get(1)[0]);
        long countsFrom = secondRedirect + ProcessorConfig.DEFAULTS.redirectGraceMicros();
        List<String[]> requests = SET.tshark("host.pcap", HOST_REQUESTS_VIA_R1, "frame.time_epoch",
                "icmp.resp_not_found").stream().filter(row -> micros(row[0]) >= countsFrom).toList();
        long firstCounted = micros(requests.get(0)[0]);
        List<String[]> evidence = requests.stream()
                .filter(row -> micros(row[0]) < firstCounted + EVIDENCE_MICROS).toList();
        long unanswered = evidence.stream().filter(row -> row[1].equals("1")).count();
        assertTrue(unanswered > 0, "the recording has requests through r1 that got no reply");
        assertTrue(requests.size() > evidence.size(), "and requests after the evidence, answered within the skew");

        assertEquals(evidence.size(), alert.getCount(), alert.getSummary());
        assertEquals(micros(evidence.get(evidence.size() - 1)[0]), alert.getLastSeenMicros(), alert.getSummary());
        assertTrue(alert.getLoss(), unanswered + " of " + evidence.size() + " unanswered: " + alert.getSummary());
    }
}
