package dev.wirewatch.processor.detect;

import static dev.wirewatch.processor.Packets.ACK;
import static dev.wirewatch.processor.Packets.FIN;
import static dev.wirewatch.processor.Packets.RST;
import static dev.wirewatch.processor.detect.TwoSidedSession.BOTH;
import static dev.wirewatch.processor.detect.TwoSidedSession.S;
import static dev.wirewatch.processor.detect.TwoSidedSession.T0;
import static dev.wirewatch.processor.detect.TwoSidedSession.TOPOLOGY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import java.util.List;
import org.junit.jupiter.api.Test;

class HalfOpenSessionDetectorTest {
    private static final List<String> CLIENT_ONLY = List.of("client");

    private static List<Alert> halfOpen(ProcessorDriver driver) {
        return driver.alerts().stream().filter(alert -> alert.getType().equals(HalfOpenSessionDetector.TYPE)).toList();
    }

    /** The client's data and its reset after an idle minute never reach the server; both sensors tick throughout. */
    private static TwoSidedSession staleAtServer(ProcessorDriver driver) {
        TwoSidedSession session = new TwoSidedSession(driver, 41000).established(T0);
        driver.tick(T0, T0 + 60 * S, "client", "server");
        session.fromClient(T0 + 60 * S, ACK, 6, CLIENT_ONLY);
        session.fromClient(T0 + 61 * S, ACK, 6, CLIENT_ONLY); // retransmissions into the void
        session.fromClient(T0 + 63 * S, ACK, 6, CLIENT_ONLY);
        session.fromClient(T0 + 64 * S, RST | ACK, 0, CLIENT_ONLY);
        return session;
    }

    @Test
    void aResetThatNeverReachedTheServerLeavesItHoldingTheSession() {
        try (ProcessorDriver driver = new ProcessorDriver(TOPOLOGY, ProcessorConfig.DEFAULTS)) {
            TwoSidedSession session = staleAtServer(driver);
            driver.tick(T0 + 61 * S, T0 + 140 * S, "client", "server");
            List<Alert> alerts = halfOpen(driver);
            assertEquals(1, alerts.size(), alerts.toString());
            Alert alert = alerts.get(0);
            assertEquals("server", alert.getHost());
            assertEquals(session.client(), alert.getClient());
            assertEquals(4, alert.getCount(), "three data segments and the RST never arrived");
            assertEquals(false, alert.getReconnected());
            assertTrue(alert.getLastSeenMicros() == T0 + 64 * S, "gave up with the RST");
        }
    }

    @Test
    void aNewConnectionFromTheClientToTheServiceMakesItReconnected() {
        try (ProcessorDriver driver = new ProcessorDriver(TOPOLOGY, ProcessorConfig.DEFAULTS)) {
            staleAtServer(driver);
            TwoSidedSession again = new TwoSidedSession(driver, 41001).established(T0 + 65 * S);
            again.fromClient(T0 + 65 * S + 600, FIN | ACK, 0, BOTH);
            again.fromServer(T0 + 65 * S + 700, FIN | ACK, 0, BOTH);
            again.fromClient(T0 + 65 * S + 800, ACK, 0, BOTH);
            driver.tick(T0 + 61 * S, T0 + 140 * S, "client", "server");
            List<Alert> alerts = halfOpen(driver);
            assertEquals(1, alerts.size(), alerts.toString());
            assertEquals(true, alerts.get(0).getReconnected());
        }
    }

    @Test
    void anOrderlyCloseSeenAtBothEndsIsNotHalfOpen() {
        try (ProcessorDriver driver = new ProcessorDriver(TOPOLOGY, ProcessorConfig.DEFAULTS)) {
            TwoSidedSession session = new TwoSidedSession(driver, 41000).established(T0);
            session.fromClient(T0 + 10 * S, FIN | ACK, 0, BOTH);
            session.fromServer(T0 + 10 * S + 100, FIN | ACK, 0, BOTH);
            session.fromClient(T0 + 10 * S + 200, ACK, 0, BOTH);
            driver.tick(T0, T0 + 80 * S, "client", "server");
            driver.endOfInput(T0 + 81 * S, "client", "server");
            assertEquals(List.of(), halfOpen(driver));
        }
    }

    @Test
    void aServerSensorThatStoppedTickingIsNoEvidenceOfAbsence() {
        try (ProcessorDriver driver = new ProcessorDriver(TOPOLOGY, ProcessorConfig.DEFAULTS)) {
            TwoSidedSession session = new TwoSidedSession(driver, 41000).established(T0);
            driver.tick(T0, T0 + 30 * S, "client", "server");
            driver.tick(T0 + 31 * S, T0 + 60 * S, "client"); // the server's sensor went silent
            session.fromClient(T0 + 60 * S, RST | ACK, 0, CLIENT_ONLY);
            driver.endOfInput(T0 + 31 * S, "server"); // its capture ended before the client gave up
            driver.tick(T0 + 61 * S, T0 + 140 * S, "client");
            driver.endOfInput(T0 + 141 * S, "client");
            assertEquals(List.of(), halfOpen(driver));
        }
    }

    @Test
    void withOnlyTheClientMonitoredThereIsNoOtherSideToCompare() {
        NetworkTopology clientOnly = ProcessorDriver.topology("""
                hosts:
                  client:
                    interfaces:
                      eth0: {addresses: [198.51.100.10/24]}
                """);
        try (ProcessorDriver driver = new ProcessorDriver(clientOnly, ProcessorConfig.DEFAULTS)) {
            TwoSidedSession session = new TwoSidedSession(driver, 41000);
            session.fromClient(T0, dev.wirewatch.processor.Packets.SYN, 0, CLIENT_ONLY);
            session.fromServer(T0 + 100, dev.wirewatch.processor.Packets.SYN | ACK, 0, CLIENT_ONLY);
            session.fromClient(T0 + 200, ACK, 0, CLIENT_ONLY);
            session.fromClient(T0 + 60 * S, RST | ACK, 0, CLIENT_ONLY);
            driver.tick(T0, T0 + 140 * S, "client");
            driver.endOfInput(T0 + 141 * S, "client");
            assertEquals(List.of(), halfOpen(driver));
        }
    }
}
