package dev.wirewatch.processor.detect;

import static dev.wirewatch.processor.Packets.ACK;
import static dev.wirewatch.processor.Packets.FIN;
import static dev.wirewatch.processor.Packets.RST;
import static dev.wirewatch.processor.Packets.SYN;
import static dev.wirewatch.processor.Packets.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.config.ConfigKeys;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A detector's waits that depend on a config value follow it, rather than a constant that assumed its default. */
class DetectorTimersFollowConfigTest {
    private static final long T0 = 1_699_999_980_000_000L; // a whole minute: where a refusal window starts
    private static final long S = 1_000_000L;

    /** CONNECTION_REFUSED waits for closed flows past a window's end: their reset delay plus the clock skew. */
    @Test
    void connectionRefusedWaitsForClosedFlowsAsLongAsTheClockSkewSays() {
        long byDefault = secondsUntilRefusalReported(ProcessorConfig.DEFAULTS);
        assertEquals(70, byDefault, "the refusal window (60 s) and 10 s for its closed flows");
        long skewed = secondsUntilRefusalReported(ProcessorConfig.DEFAULTS.with(ConfigKeys.CLOCK_SKEW, Duration.ofSeconds(21)));
        assertEquals(byDefault + 20, skewed, "20 s more clock skew, 20 s more waiting for closed flows");
    }

    /**
     * A verdict that needs a lagging sensor's ticks waits for them as long as a silent sensor takes to count as
     * degraded (sensor-silence), then judges without them: here the server's sensor ticks 40 s late, after the
     * client received a RST the server never sent.
     */
    @Test
    void aVerdictWaitsForALaggingSensorAsLongAsSensorSilence() {
        assertEquals(List.of(), injectedRstsWhenTheServersTicksLag40s(ProcessorConfig.DEFAULTS),
                "after 30 s the server's silence no longer counts");
        assertEquals(1, injectedRstsWhenTheServersTicksLag40s(
                ProcessorConfig.DEFAULTS.with(ConfigKeys.SENSOR_SILENCE, Duration.ofSeconds(60))).size(),
                "with sensor-silence 60s its late ticks still count");
    }

    private static List<String> injectedRstsWhenTheServersTicksLag40s(ProcessorConfig config) {
        try (ProcessorDriver driver = new ProcessorDriver(TwoSidedSession.TOPOLOGY, config)) {
            TwoSidedSession session = new TwoSidedSession(driver, 41003).established(T0);
            driver.tick(T0, T0 + S, "client", "server");
            session.fromClient(T0 + 2 * S, ACK, 6, List.of("client"));
            session.fromServer(T0 + 2 * S + 100, RST | ACK, 0, List.of("client"));
            driver.tick(T0 + 2 * S, T0 + 45 * S, "client");
            driver.tick(T0 + 2 * S, T0 + 45 * S, "server");
            driver.tick(T0 + 46 * S, T0 + 50 * S, "client", "server");
            return driver.alerts().stream().filter(alert -> alert.getType().equals(InjectedRstDetector.TYPE))
                    .map(alert -> alert.getMissingAt()).toList();
        }
    }

    /**
     * HALF_OPEN_SESSION waits {@code reconnect-window} for the client's next connection, also when that is over an
     * hour: here the client reconnects a second after giving up, and its new connection closes 95 minutes later.
     */
    @Test
    void aReconnectWindowOverAnHourCountsAReconnectionThatLastedOverAnHour() {
        ProcessorConfig config = ProcessorConfig.DEFAULTS.with(ConfigKeys.RECONNECT_WINDOW, Duration.ofHours(3));
        try (ProcessorDriver driver = new ProcessorDriver(TwoSidedSession.TOPOLOGY, config)) {
            TwoSidedSession stale = new TwoSidedSession(driver, 41004).established(T0);
            driver.tick(T0, T0 + 60 * S, "client", "server");
            for (long second : new long[] {60, 61, 63}) { // data and its retransmissions never reach the server
                stale.fromClient(T0 + second * S, ACK, 6, List.of("client"));
            }
            stale.fromClient(T0 + 64 * S, RST | ACK, 0, List.of("client"));
            TwoSidedSession again = new TwoSidedSession(driver, 41005).established(T0 + 65 * S);
            driver.tickEvery(60 * S, T0 + 61 * S, T0 + 96 * 60 * S, "client", "server");
            again.fromClient(T0 + 96 * 60 * S, FIN | ACK, 0, TwoSidedSession.BOTH);
            again.fromServer(T0 + 96 * 60 * S + 100, FIN | ACK, 0, TwoSidedSession.BOTH);
            again.fromClient(T0 + 96 * 60 * S + 200, ACK, 0, TwoSidedSession.BOTH);
            driver.tickEvery(60 * S, T0 + 97 * 60 * S, T0 + 4 * 3600 * S, "client", "server");
            List<Boolean> reconnected = driver.alerts().stream()
                    .filter(alert -> alert.getType().equals(HalfOpenSessionDetector.TYPE))
                    .map(alert -> alert.getReconnected()).toList();
            assertEquals(List.of(true), reconnected);
        }
    }

    /** Stream seconds after a refused SYN until its window is reported, with the client's sensor ticking each second. */
    private static long secondsUntilRefusalReported(ProcessorConfig config) {
        try (ProcessorDriver driver = new ProcessorDriver(NetworkTopology.EMPTY, config)) {
            driver.send(tcp("client", T0, "198.51.100.7", 40000, "198.51.100.20", 8080, SYN, 1000, 0, 0));
            driver.send(tcp("client", T0 + 200, "198.51.100.20", 8080, "198.51.100.7", 40000, RST | ACK, 0, 1001, 0));
            for (long second = 0; second <= 300; second++) {
                driver.tick(T0 + second * S, T0 + second * S, "client");
                if (driver.alerts().stream().anyMatch(alert -> alert.getType().equals("CONNECTION_REFUSED"))) {
                    return second;
                }
            }
            throw new AssertionError("no CONNECTION_REFUSED in 300 s");
        }
    }
}
