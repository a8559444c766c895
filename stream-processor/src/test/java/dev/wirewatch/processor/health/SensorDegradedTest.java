package dev.wirewatch.processor.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.SampleCase;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.detect.SensorDegradedDetector;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.SensorStatus;
import dev.wirewatch.record.Tick;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SENSOR_DEGRADED through the real topology: from the counters of consecutive statuses on ww.sensors, and from a
 * sensor's ticks stopping while the others' go on.
 */
class SensorDegradedTest {
    private static final long S = 1_000_000;
    private static final long T0 = 1_780_000_000L * S;
    private static final String TOPOLOGY = """
            hosts:
              web: {interfaces: {eth0: {addresses: [10.0.0.5/24]}}}
              db: {interfaces: {eth0: {addresses: [10.0.0.6/24]}}}
            """;

    private static ProcessorDriver driver() {
        return new ProcessorDriver(ProcessorDriver.topology(TOPOLOGY), ProcessorConfig.DEFAULTS);
    }

    private static SensorStatus status(long ts, long captured, long pcapDropped, long queueDropped, long unackedMs) {
        return SensorStatus.newBuilder().setSensorId("web").setHost("web").setVersion("test").setTsMicros(ts)
                .setCaptured(List.of("eth0")).setPacketsCaptured(captured).setPacketsDecoded(captured)
                .setPcapDropped(pcapDropped).setQueueDropped(queueDropped).setKafkaUnacknowledgedMs(unackedMs).build();
    }

    private static List<String> reasons(List<Alert> alerts) {
        return alerts.stream().map(Alert::getReason).toList();
    }

    @Test
    void capturedPacketsLostSinceTheLastStatusAreReportedWithTheirCount() {
        try (ProcessorDriver driver = driver()) {
            driver.send(status(T0, 10_000, 0, 0, 0));
            driver.send(status(T0 + 10 * S, 20_000, 0, 0, 0));
            assertEquals(List.of(), driver.alerts(), "no drops");
            driver.send(status(T0 + 20 * S, 29_500, 500, 0, 0));
            List<Alert> alerts = driver.alerts();
            assertEquals(List.of("CAPTURE_DROPS"), reasons(alerts));
            Alert drops = alerts.get(0);
            assertEquals(SensorDegradedDetector.TYPE, drops.getType());
            assertEquals("web", drops.getHost());
            assertEquals(500, drops.getCount(), "the drops since the status before, not since the start");
            assertEquals(T0 + 10 * S, drops.getFirstSeenMicros());
            driver.send(status(T0 + 30 * S, 39_500, 500, 0, 0));
            assertEquals(List.of(), driver.alerts(), "the counter did not move: nothing new");
        }
    }

    /** ww.sensors is compacted: a new processor's first status of a sensor may be days old, and is a baseline. */
    @Test
    void aSensorsFirstStatusIsABaselineAndARestartsLowerCountersAreNotDrops() {
        try (ProcessorDriver driver = driver()) {
            driver.send(status(T0 - 10 * S, 40_000, 100, 0, 0));
            assertEquals(List.of(), driver.alerts(), "the first status is only a baseline");
            driver.send(status(T0, 50_000, 120, 0, 0));
            assertEquals(List.of("CAPTURE_DROPS"), reasons(driver.alerts()), "20 dropped since the baseline");
            driver.send(status(T0 + 20 * 60 * S, 1_000, 0, 0, 0));
            assertEquals(List.of(), driver.alerts(), "restarted: its counters began again at zero");
        }
    }

    @Test
    void queueDropsAndAnUnreachableKafkaAreTheirOwnReasonsAndRepeatOnlyAfterTheWindow() {
        try (ProcessorDriver driver = driver()) {
            driver.send(status(T0, 1_000, 0, 0, 0));
            driver.send(status(T0 + 10 * S, 2_000, 0, 300, 45_000));
            assertEquals(List.of("QUEUE_DROPS", "KAFKA_UNREACHABLE"), reasons(driver.alerts()));
            driver.send(status(T0 + 20 * S, 3_000, 0, 400, 55_000));
            assertEquals(List.of(), driver.alerts(), "once per sensor and reason in a repeat window");
            driver.send(status(T0 + 11 * 60 * S, 4_000, 0, 500, 0));
            assertEquals(List.of("QUEUE_DROPS"), reasons(driver.alerts()), "a later window reports again");
        }
    }

    @Test
    void anInterfaceWhoseCaptureIsDownIsReportedWithItsName() {
        try (ProcessorDriver driver = driver()) {
            driver.send(status(T0, 1_000, 0, 0, 0));
            driver.send(SensorStatus.newBuilder(status(T0 + 10 * S, 1_500, 0, 0, 0)).setNotCapturing(List.of("eth0"))
                    .setDegraded(true).setReason("capture of eth0 stopped at 10:00:05 (the interface is gone)").build());
            List<Alert> alerts = driver.alerts();
            assertEquals(List.of("CAPTURE_DOWN"), reasons(alerts));
            assertEquals(1, alerts.get(0).getCount());
            assertTrue(alerts.get(0).getSummary().contains("not capturing eth0"), alerts.get(0).getSummary());
            assertTrue(alerts.get(0).getSummary().contains("the interface is gone"), alerts.get(0).getSummary());
        }
    }

    @Test
    void aSensorThatStopsTickingWhileAnotherGoesOnIsSilentOnce() {
        try (ProcessorDriver driver = driver()) {
            driver.tick(T0, T0 + 20 * S, "web", "db");
            driver.tick(T0 + 21 * S, T0 + 50 * S, "web");
            assertEquals(List.of(), driver.alerts(), "30 s of silence is the allowance");
            driver.tick(T0 + 51 * S, T0 + 120 * S, "web");
            List<Alert> alerts = driver.alerts();
            assertEquals(List.of("SILENT"), reasons(alerts));
            assertEquals("db", alerts.get(0).getHost());
            assertEquals(T0 + 20 * S, alerts.get(0).getFirstSeenMicros(), "silent since its last tick");
            driver.tick(T0 + 121 * S, T0 + 130 * S, "web", "db");
            driver.tick(T0 + 131 * S, T0 + 200 * S, "web");
            assertEquals(List.of("SILENT"), reasons(driver.alerts()), "back, then silent again: a new episode");
            for (long t = T0 + 201 * S; t <= T0 + 260 * S; t += S) {
                driver.tick(t, t, "web");
                driver.tick(t - 60 * S, t - 60 * S, "db"); // ticking, but a minute behind
            }
            assertEquals(List.of(), driver.alerts(), "still the same episode: no alert per late tick");
        }
    }

    /** Issue 18: a planned stop (SIGTERM) raised SILENT 30 s later; a sensor that comes back and falls silent still does. */
    @Test
    void aSensorThatAnnouncedItsStopIsNotSilentUntilItComesBackAndFallsSilent() {
        try (ProcessorDriver driver = driver()) {
            driver.tick(T0, T0 + 20 * S, "web", "db");
            driver.send(Tick.newBuilder().setHost("db").setTsMicros(T0 + 20 * S + 500_000).setStopped(true).build());
            driver.tick(T0 + 21 * S, T0 + 120 * S, "web");
            assertEquals(List.of(), driver.alerts(), "it said it stopped");
            driver.tick(T0 + 121 * S, T0 + 130 * S, "web", "db");
            driver.tick(T0 + 131 * S, T0 + 200 * S, "web");
            List<Alert> alerts = driver.alerts();
            assertEquals(List.of("SILENT"), reasons(alerts), "back, then silent without a word");
            assertEquals("db", alerts.get(0).getHost());
        }
    }

    @Test
    void aSensorWhoseInputEndedIsNotSilent() {
        try (ProcessorDriver driver = driver()) {
            driver.tick(T0, T0 + 20 * S, "web", "db");
            driver.endOfInput(T0 + 20 * S, "db");
            driver.tick(T0 + 21 * S, T0 + 120 * S, "web");
            assertEquals(List.of(), driver.alerts());
        }
    }

    /**
     * Captures of different lengths replayed together (seed case 2: the client's file ends 5 s before the server's):
     * a host whose file ended is done, not silent, even with an allowance shorter than the difference.
     */
    @Test
    void aShorterCaptureInAReplayIsNotASilentSensor() throws Exception {
        Path config = Files.createTempFile("config", ".yaml");
        Files.writeString(config, "sensor-silence: 1s\n");
        List<Alert> alerts = new SampleCase("02-wrong-interface").alerts(ProcessorConfig.load(config),
                new SampleCase.Capture("client", "eth0", "client.pcap"),
                new SampleCase.Capture("server", "eth1", "server@eth1.pcap"));
        assertEquals(List.of(), alerts.stream().filter(alert -> alert.getType().equals(SensorDegradedDetector.TYPE))
                .toList());
    }
}
