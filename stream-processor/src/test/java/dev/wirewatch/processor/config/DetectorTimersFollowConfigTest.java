package dev.wirewatch.processor.config;

import static dev.wirewatch.processor.Packets.ACK;
import static dev.wirewatch.processor.Packets.RST;
import static dev.wirewatch.processor.Packets.SYN;
import static dev.wirewatch.processor.Packets.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.network.NetworkTopology;
import java.time.Duration;
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
