package dev.wirewatch.app.sensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.record.SensorStatus;
import dev.wirewatch.record.Tick;
import dev.wirewatch.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: a planned stop raised SENSOR_DEGRADED SILENT 30 s later, and SIGTERM ended the sensor with 143. A real
 * sensor process told SIGTERM flushes, announces its stop (a last tick and status saying stopped) and exits 0.
 */
class SensorPlannedStopTest {
    @TempDir
    Path dir;

    @Test
    void sigtermAnnouncesTheStopAndExitsZero() throws Exception {
        assertTrue("root".equals(System.getProperty("user.name")),
                "live capture needs root: run the tests as root, as .ci/run does");
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3))) {
            Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            try (Admin admin = Admin.create(client)) {
                TopicSetup.ensure(admin, 3, Map.of());
            }
            Map<String, Object> config = new HashMap<>(client);
            config.put(ConsumerConfig.GROUP_ID_CONFIG, "planned-stop");
            config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            Path log = dir.resolve("sensor.log");
            Process sensor = LiveSensors.startHere(log, "--bootstrap-servers", broker.bootstrapServers(), "--host", "planned",
                    "--interface", "lo", "--filter", "udp port 9");
            try (KafkaConsumer<byte[], byte[]> consumer =
                         new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(Topics.PACKETS, Topics.SENSORS));
                List<SpecificRecord> seen = new ArrayList<>();
                LiveSensors.await(consumer, seen, record -> record instanceof Tick tick && !tick.getStopped(),
                        Duration.ofSeconds(60), log);
                sensor.destroy(); // SIGTERM
                assertTrue(sensor.waitFor(60, TimeUnit.SECONDS), Files.readString(log));
                assertEquals(0, sensor.exitValue(), Files.readString(log));
                // both announcements: the last tick (every partition) and the last status on ww.sensors
                LiveSensors.await(consumer, seen, record -> seen.stream().anyMatch(r -> r instanceof Tick tick && tick.getStopped())
                        && seen.stream().anyMatch(r -> r instanceof SensorStatus status && status.getStopped()),
                        Duration.ofSeconds(30), log);
                assertTrue(Files.readString(log).contains("sensor planned: stopped (SIGTERM)"), Files.readString(log));
            } finally {
                sensor.destroyForcibly();
            }
        }
    }
}
