package dev.wirewatch.processor.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's sensor command without --host: the server's sensor names itself after the machine ("ws-17"), which
 * the topology does not know. The processor says so, and that the topology's "server" has no sensor — once each.
 */
class SensorTopologyMismatchTest {
    private static final long S = 1_000_000;
    private static final long T0 = 1_780_000_000L * S;
    private static final String TOPOLOGY = """
            hosts:
              client: {interfaces: {eth0: {addresses: [10.0.0.7/24]}}}
              server: {interfaces: {eth0: {addresses: [10.0.0.5/24]}}}
            """;

    private static List<Alert> mismatches(ProcessorDriver driver) {
        return driver.alerts().stream().filter(alert -> alert.getType().equals("SENSOR_NOT_IN_TOPOLOGY")
                || alert.getType().equals("HOST_NOT_MONITORED")).toList();
    }

    @Test
    void aSensorNamedAfterItsMachineAndTheHostItShouldHaveBeenAreReportedOnceEach() {
        try (ProcessorDriver driver = new ProcessorDriver(ProcessorDriver.topology(TOPOLOGY), ProcessorConfig.DEFAULTS)) {
            driver.tick(T0, T0 + 10 * S, "client", "ws-17");
            List<Alert> early = mismatches(driver);
            assertEquals(List.of("SENSOR_NOT_IN_TOPOLOGY"), early.stream().map(Alert::getType).toList(),
                    "the unknown sensor at once, the unmonitored host only after the grace: " + early);
            Alert unknown = early.get(0);
            assertEquals("ws-17", unknown.getHost());
            assertEquals(T0, unknown.getFirstSeenMicros(), "at its first tick, whichever tick the judgement saw: a "
                    + "replay of the same input reports the same alert");
            assertEquals(Severity.info, unknown.getSeverity());
            assertTrue(unknown.getHint().contains("--host") && unknown.getHint().contains("server"), unknown.getHint());

            driver.tick(T0 + 11 * S, T0 + 10 * 60 * S, "client", "ws-17");
            List<Alert> later = mismatches(driver);
            assertEquals(1, later.size(), "each reported once: " + later);
            Alert unmonitored = later.get(0);
            assertEquals("HOST_NOT_MONITORED", unmonitored.getType());
            assertEquals("server", unmonitored.getHost());
            assertEquals(Severity.info, unmonitored.getSeverity());
            assertTrue(unmonitored.getHint().contains("--host server") && unmonitored.getHint().contains("ws-17"),
                    unmonitored.getHint());
            assertEquals(2.0, driver.metric("sensor-topology-mismatches-total", SensorSilenceWatch.METRICS_GROUP),
                    "counted in /metrics too");
        }
    }

    @Test
    void onlyTheNameTheTopologyLacksIsReportedAndNothingWithoutATopology() {
        try (ProcessorDriver driver = new ProcessorDriver(ProcessorDriver.topology(TOPOLOGY), ProcessorConfig.DEFAULTS)) {
            driver.tick(T0, T0 + 5 * 60 * S, "client", "server", "ws-17");
            List<Alert> alerts = mismatches(driver);
            assertEquals(List.of("SENSOR_NOT_IN_TOPOLOGY ws-17"),
                    alerts.stream().map(alert -> alert.getType() + " " + alert.getHost()).toList());
        }
        try (ProcessorDriver driver = new ProcessorDriver(NetworkTopology.EMPTY, ProcessorConfig.DEFAULTS)) {
            driver.tick(T0, T0 + 5 * 60 * S, "ws-17");
            assertEquals(List.of(), mismatches(driver));
        }
    }
}
