package dev.wirewatch.processor.detect;

import static dev.wirewatch.processor.Packets.ACK;
import static dev.wirewatch.processor.Packets.FIN;
import static dev.wirewatch.processor.Packets.RST;
import static dev.wirewatch.processor.Packets.SYN;
import static dev.wirewatch.processor.detect.TwoSidedSession.S;
import static dev.wirewatch.processor.detect.TwoSidedSession.T0;
import static dev.wirewatch.processor.detect.TwoSidedSession.TOPOLOGY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.Packets;
import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.SampleCase;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/ALERTS.md, "One fault, one alert": the pairs of alert types that can fire on the same packets, each with its
 * rule, and when the alerts come out. The seed cases are replayed as a live monitor sees them (the sensors tick on
 * after their captures end), so each alert's delay after its last packet is what it would be live.
 */
class OneFaultOneAlertTest {
    /**
     * An UNANSWERED_SYN is found 6 s after its last SYN (syn-answer-timeout 5 s + clock-skew 1 s); one that PAWS may
     * explain is held until 7 s after it (the close delay 5 s + twice the clock skew), so that the accepted
     * connections before it have arrived. Ticks come once a second: one more second at most.
     */
    private static final double HELD_UNTIL_SECONDS = 7 + 1 + 1;

    private static List<SampleCase.Timed> live(String sample, SampleCase.Capture... captures) {
        return new SampleCase(sample).timedAlerts(ProcessorConfig.DEFAULTS, 300, captures);
    }

    private static List<SampleCase.Timed> ofType(List<SampleCase.Timed> alerts, String type) {
        return alerts.stream().filter(timed -> timed.alert().getType().equals(type)).toList();
    }

    private static List<Alert> warnings(List<Alert> alerts) {
        return alerts.stream().filter(alert -> alert.getSeverity().ordinal() >= Severity.warning.ordinal()).toList();
    }

    /** Seed case 1: a firewall drop is nobody else's; it is reported as promptly as before, while the input runs. */
    @Test
    void aFirewallDropIsAnUnansweredSynWarningWithinTheHold() {
        List<SampleCase.Timed> alerts = live("01-firewall-drop", new SampleCase.Capture("client", null, "client.pcap"),
                new SampleCase.Capture("server", null, "server.pcap"));
        assertEquals(1, alerts.size(), alerts.toString());
        SampleCase.Timed unanswered = alerts.get(0);
        assertEquals(UnansweredSynDetector.TYPE, unanswered.alert().getType());
        assertEquals("DROPPED_AT_SERVER_HOST", unanswered.alert().getCause());
        assertEquals(Severity.warning, unanswered.alert().getSeverity());
        assertNull(unanswered.alert().getExplainedBy());
        assertTrue(!unanswered.atEnd() && unanswered.delaySeconds() <= HELD_UNTIL_SECONDS,
                "out " + unanswered.delaySeconds() + " s after the last SYN");
    }

    /** Seed case 4: one warning per dropped connection, PAWS_SYN_DROP, seconds after its last SYN (was 128 s). */
    @Test
    void pawsDropsAreOneWarningEachAndComeWithinTheHold() {
        List<SampleCase.Timed> alerts = live("04-paws-behind-nat", new SampleCase.Capture("gateway", null, "gateway.pcap"),
                new SampleCase.Capture("server", null, "server.pcap"));
        List<SampleCase.Timed> paws = ofType(alerts, PawsSynDropDetector.TYPE);
        List<SampleCase.Timed> unanswered = ofType(alerts, UnansweredSynDetector.TYPE);
        assertTrue(paws.size() >= 1, alerts.toString());
        assertEquals(paws.stream().map(SampleCase.Timed::alert).toList(),
                warnings(alerts.stream().map(SampleCase.Timed::alert).toList()), "the only warnings");
        for (SampleCase.Timed drop : paws) {
            assertTrue(!drop.atEnd() && drop.delaySeconds() <= HELD_UNTIL_SECONDS,
                    drop.alert().getClient() + " out " + drop.delaySeconds() + " s after its last SYN");
            List<SampleCase.Timed> same = unanswered.stream()
                    .filter(timed -> timed.alert().getClient().equals(drop.alert().getClient())).toList();
            assertEquals(1, same.size(), unanswered.toString());
            assertEquals(drop.alert().getId(), same.get(0).alert().getExplainedBy());
            assertEquals(Severity.info, same.get(0).alert().getSeverity());
            assertEquals(drop.emittedAtMicros(), same.get(0).emittedAtMicros(), "out together");
        }
    }

    /**
     * Seed case 5: SYNs that left the host by its public NIC are the route mismatch's: ROUTE_MISMATCH is the warning,
     * now when the SYNs are found unanswered (was: when their flow closed, 128 s on), and their UNANSWERED_SYN is info.
     */
    @Test
    void synsLostAfterLeavingByTheWrongInterfaceAreTheRouteMismatchs() {
        List<SampleCase.Timed> alerts = live("05-dual-nic-no-route", new SampleCase.Capture("host", "eth0", "host@eth0.pcap"),
                new SampleCase.Capture("host", "eth1", "host@eth1.pcap"), new SampleCase.Capture("server", null, "server.pcap"));
        List<SampleCase.Timed> routes = ofType(alerts, RouteMismatchDetector.TYPE);
        List<SampleCase.Timed> unanswered = ofType(alerts, UnansweredSynDetector.TYPE);
        assertEquals(1, routes.size(), alerts.toString());
        assertEquals(1, unanswered.size(), alerts.toString());
        Alert syns = unanswered.get(0).alert();
        assertEquals("LOST_BEFORE_SERVER", syns.getCause(), "where they were lost stays said");
        assertEquals(Severity.info, syns.getSeverity());
        assertEquals(routes.get(0).alert().getId(), syns.getExplainedBy());
        assertTrue(syns.getHint().contains("ip route add"), syns.getHint());
        assertEquals(List.of(routes.get(0).alert()), warnings(alerts.stream().map(SampleCase.Timed::alert).toList()));
        assertTrue(!routes.get(0).atEnd() && routes.get(0).delaySeconds() <= HELD_UNTIL_SECONDS,
                "out " + routes.get(0).delaySeconds() + " s after the last SYN");
    }

    /**
     * The client's FIN dies at a middlebox, which answers it with a RST in the server's name: the server still holds
     * the session (HALF_OPEN_SESSION) because the middlebox reset it (INJECTED_RST, missing at the server). One fault:
     * INJECTED_RST is the warning, the half-open session is info, explained by it.
     */
    @Test
    void aSessionHalfOpenBecauseAMiddleboxResetItInTheHoldersNameIsTheInjectedRsts() {
        try (ProcessorDriver driver = new ProcessorDriver(TOPOLOGY, ProcessorConfig.DEFAULTS)) {
            TwoSidedSession session = new TwoSidedSession(driver, 41004).established(T0);
            driver.tick(T0, T0 + 10 * S, "client", "server");
            session.fromClient(T0 + 10 * S, FIN | ACK, 0, List.of("client"));
            session.fromServer(T0 + 10 * S + 300, RST | ACK, 0, List.of("client"));
            driver.tick(T0 + 11 * S, T0 + 100 * S, "client", "server");
            driver.endOfInput(T0 + 101 * S, "client", "server");
            List<Alert> alerts = driver.alerts();
            List<Alert> warnings = warnings(alerts);
            assertEquals(List.of(InjectedRstDetector.TYPE), warnings.stream().map(Alert::getType).toList(), alerts.toString());
            List<Alert> halfOpen = alerts.stream().filter(a -> a.getType().equals(HalfOpenSessionDetector.TYPE)).toList();
            assertEquals(1, halfOpen.size(), alerts.toString());
            assertEquals("server", halfOpen.get(0).getHost());
            assertEquals(Severity.info, halfOpen.get(0).getSeverity());
            assertEquals(warnings.get(0).getId(), halfOpen.get(0).getExplainedBy());
        }
    }

    /**
     * The client's sensor captures the wrong interface and the server's firewall drops the client's SYNs: two faults
     * on the same packets, one in the monitoring and one in the network. Both are warnings; neither explains the other.
     */
    @Test
    void aBlindClientSensorAndSynsDroppedAtTheServerAreTwoFaults() {
        try (ProcessorDriver driver = new ProcessorDriver(ProcessorDriver.topology("""
                hosts:
                  client:
                    interfaces:
                      eth0: {addresses: [198.51.100.10/24]}
                      eth1: {addresses: [10.0.0.10/24]}
                    capture: [eth1]
                  server:
                    interfaces:
                      eth0: {addresses: [198.51.100.20/24]}
                """), ProcessorConfig.DEFAULTS)) {
            for (int i = 0; i < 4; i++) {
                driver.send(Packets.tcp("server", T0 + i * S, "198.51.100.10", 40000, "198.51.100.20", 8080, SYN, 1000, 0, 0));
            }
            driver.tick(T0, T0 + 140 * S, "client", "server");
            driver.endOfInput(T0 + 141 * S, "client", "server");
            List<Alert> alerts = driver.alerts();
            assertEquals(List.of(SensorCoverageGapDetector.TYPE, UnansweredSynDetector.TYPE),
                    warnings(alerts).stream().map(Alert::getType).sorted().toList(), alerts.toString());
            alerts.forEach(alert -> assertNull(alert.getExplainedBy(), alert.toString()));
            Alert unanswered = alerts.stream().filter(a -> a.getType().equals(UnansweredSynDetector.TYPE)).findFirst()
                    .orElseThrow();
            assertEquals("DROPPED_AT_SERVER_HOST", unanswered.getCause());
            Alert gap = alerts.stream().filter(a -> a.getType().equals(SensorCoverageGapDetector.TYPE)).findFirst()
                    .orElseThrow();
            assertEquals("client", gap.getHost());
        }
    }
}
