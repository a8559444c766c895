package dev.wirewatch.processor.detect;

import static dev.wirewatch.processor.Packets.ACK;
import static dev.wirewatch.processor.Packets.RST;
import static dev.wirewatch.processor.detect.TwoSidedSession.BOTH;
import static dev.wirewatch.processor.detect.TwoSidedSession.S;
import static dev.wirewatch.processor.detect.TwoSidedSession.T0;
import static dev.wirewatch.processor.detect.TwoSidedSession.TOPOLOGY;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.record.Alert;
import java.util.List;
import org.junit.jupiter.api.Test;

class InjectedRstDetectorTest {
    private static List<Alert> injected(ProcessorDriver driver) {
        return driver.alerts().stream().filter(alert -> alert.getType().equals(InjectedRstDetector.TYPE)).toList();
    }

    @Test
    void aResetThatArrivesAtTheClientButNeverLeftTheServerIsInjected() {
        try (ProcessorDriver driver = new ProcessorDriver(TOPOLOGY, ProcessorConfig.DEFAULTS)) {
            TwoSidedSession session = new TwoSidedSession(driver, 41003).established(T0);
            session.fromClient(T0 + 2 * S, ACK, 6, List.of("client")); // dropped on the way by the forger
            session.fromServer(T0 + 2 * S + 100, RST | ACK, 0, List.of("client"));
            driver.tick(T0, T0 + 30 * S, "client", "server");
            List<Alert> alerts = injected(driver);
            assertEquals(1, alerts.size(), alerts.toString());
            assertEquals("client", alerts.get(0).getHost());
            assertEquals("server", alerts.get(0).getMissingAt());
            assertEquals(T0 + 2 * S + 100, alerts.get(0).getFirstSeenMicros());
        }
    }

    @Test
    void aResetTheServerReallySentIsNotInjected() {
        try (ProcessorDriver driver = new ProcessorDriver(TOPOLOGY, ProcessorConfig.DEFAULTS)) {
            TwoSidedSession session = new TwoSidedSession(driver, 41003).established(T0);
            session.fromServer(T0 + 2 * S, RST | ACK, 0, BOTH);
            driver.tick(T0, T0 + 30 * S, "client", "server");
            driver.endOfInput(T0 + 31 * S, "client", "server");
            assertEquals(List.of(), injected(driver));
        }
    }

    /** The server's sensor had stopped before the RST: its silence proves nothing. */
    @Test
    void aServerWhoseSensorHadEndedIsNoEvidence() {
        try (ProcessorDriver driver = new ProcessorDriver(TOPOLOGY, ProcessorConfig.DEFAULTS)) {
            TwoSidedSession session = new TwoSidedSession(driver, 41003).established(T0);
            driver.endOfInput(T0 + S, "server");
            session.fromServer(T0 + 2 * S, RST | ACK, 0, List.of("client"));
            driver.tick(T0, T0 + 30 * S, "client");
            driver.endOfInput(T0 + 31 * S, "client");
            assertEquals(List.of(), injected(driver));
        }
    }
}
