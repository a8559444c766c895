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

class KeepAliveUnansweredDetectorTest {
    private static final List<String> CLIENT_ONLY = List.of("client");

    private static List<Alert> keepAlive(ProcessorDriver driver) {
        return driver.alerts().stream().filter(alert -> alert.getType().equals(KeepAliveUnansweredDetector.TYPE)).toList();
    }

    @Test
    void probesThatGetNoAnswerAreReportedForTheProberWithTheirCount() {
        try (ProcessorDriver driver = new ProcessorDriver(TOPOLOGY, ProcessorConfig.DEFAULTS)) {
            TwoSidedSession session = new TwoSidedSession(driver, 41002).established(T0);
            driver.tick(T0, T0 + 7 * S, "client", "server");
            for (int probe = 0; probe < 3; probe++) {
                session.keepAliveFromClient(T0 + (7 + probe) * S, CLIENT_ONLY);
            }
            session.fromClient(T0 + 10 * S, RST | ACK, 0, CLIENT_ONLY); // the kernel gives up (Linux sends a RST)
            driver.tick(T0 + 8 * S, T0 + 30 * S, "client", "server");
            List<Alert> alerts = keepAlive(driver);
            assertEquals(1, alerts.size(), alerts.toString());
            assertEquals(3, alerts.get(0).getCount());
            assertEquals("client", alerts.get(0).getHost());
            assertEquals(T0 + 7 * S, alerts.get(0).getFirstSeenMicros());
        }
    }

    @Test
    void answeredProbesAreHealthy() {
        try (ProcessorDriver driver = new ProcessorDriver(TOPOLOGY, ProcessorConfig.DEFAULTS)) {
            TwoSidedSession session = new TwoSidedSession(driver, 41001).established(T0);
            for (int probe = 0; probe < 10; probe++) {
                long at = T0 + (2 + 2 * probe) * S;
                session.keepAliveFromClient(at, BOTH);
                session.fromServer(at + 50, ACK, 0, BOTH);
            }
            driver.tick(T0, T0 + 60 * S, "client", "server");
            driver.endOfInput(T0 + 61 * S, "client", "server");
            assertEquals(List.of(), keepAlive(driver));
        }
    }

    /** One probe lost and the next answered: fewer unanswered than keepalive-probes (2). */
    @Test
    void aSingleLostProbeIsBelowTheThreshold() {
        try (ProcessorDriver driver = new ProcessorDriver(TOPOLOGY, ProcessorConfig.DEFAULTS)) {
            TwoSidedSession session = new TwoSidedSession(driver, 41001).established(T0);
            session.keepAliveFromClient(T0 + 2 * S, CLIENT_ONLY);
            session.keepAliveFromClient(T0 + 3 * S, BOTH);
            session.fromServer(T0 + 3 * S + 50, ACK, 0, BOTH);
            driver.tick(T0, T0 + 60 * S, "client", "server");
            driver.endOfInput(T0 + 61 * S, "client", "server");
            assertEquals(List.of(), keepAlive(driver));
        }
    }
}
