package dev.wirewatch.processor.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.Baseline;
import dev.wirewatch.processor.SampleCase;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.record.Alert;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The TCP seed cases 1, 3 and 6 on IPv6, two-sided captures from real kernels (deploy/captures/ipv6-tcp): the
 * findings of the IPv4 recordings, with IPv6 endpoints ({@code [address]:port}), and their counts as tshark reads
 * the same captures.
 */
class Ipv6TcpCapturesTest {
    private static final Path DIR = Path.of(System.getProperty("wirewatch.captures", "../deploy/captures"))
            .resolve("ipv6-tcp");
    private static final SampleCase CAPTURES = SampleCase.at(DIR);
    private static List<Alert> alerts;

    @BeforeAll
    static void analyze() {
        alerts = CAPTURES.alerts(ProcessorConfig.DEFAULTS, new SampleCase.Capture("client", "eth0", "client.pcap"),
                new SampleCase.Capture("server", "eth0", "server.pcap"));
    }

    private static Alert only(String type) {
        List<Alert> found = alerts.stream().filter(alert -> alert.getType().equals(type)).toList();
        assertEquals(1, found.size(), type + " in " + alerts);
        return found.get(0);
    }

    @Test
    void theCapturesGiveTheirBaseline() {
        assertEquals(List.of(), Baseline.read(DIR.resolve("expected.txt")).problems(alerts), alerts::toString);
        assertEquals(List.of("CONNECTION_REFUSED", "HALF_OPEN_SESSION", "UNANSWERED_SYN"),
                alerts.stream().map(Alert::getType).sorted().toList(), "one finding per fault");
    }

    @Test
    void theSynsTheServersFirewallDroppedAreCountedAsTheServerSawThem() throws Exception {
        List<String[]> syns = CAPTURES.tshark("server.pcap", "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == 8080",
                "ipv6.src", "tcp.srcport");
        assertTrue(syns.size() >= 2, "the capture holds retransmitted SYNs: " + syns.size());
        Alert alert = only(UnansweredSynDetector.TYPE);
        assertEquals("DROPPED_AT_SERVER_HOST", alert.getCause());
        assertEquals("[" + syns.get(0)[0] + "]:" + syns.get(0)[1], alert.getClient());
        assertEquals(syns.size(), alert.getCount());
    }

    @Test
    void theRefusedAttemptsAreTheResetsTheClientReceived() throws Exception {
        List<String[]> resets = CAPTURES.tshark("client.pcap", "tcp.flags.reset == 1 && tcp.srcport == 8081", "ipv6.src");
        Alert alert = only(ConnectionRefusedDetector.TYPE);
        assertEquals("[" + resets.get(0)[0] + "]:8081", alert.getServer());
        assertEquals(resets.size(), alert.getCount());
        assertEquals(List.of(443, 5000), alert.getAcceptingPorts());
    }

    @Test
    void theSessionTheRouterForgotIsHalfOpenAtTheServer() throws Exception {
        String aliceResets = "tcp.flags.reset == 1 && tcp.srcport == 41000";
        assertTrue(!CAPTURES.tshark("client.pcap", aliceResets, "frame.number").isEmpty(), "the client aborted");
        assertEquals(List.of(), CAPTURES.tshark("server.pcap", aliceResets, "frame.number"), "the abort never arrived");
        Alert alert = only(HalfOpenSessionDetector.TYPE);
        assertEquals("[2001:db8:100::10]:41000", alert.getClient());
        assertEquals("[2001:db8:113::20]:5000", alert.getServer());
        assertEquals("server", alert.getMissingAt());
        assertTrue(alert.getReconnected());
    }
}
