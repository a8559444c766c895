package dev.wirewatch.app.sensor;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.app.kafka.TopicSetup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: a sensor whose `--kafka-config` asks for SASL against a plain listener lost its sender thread, captured
 * on, said ok on /health and delivered nothing. A client Kafka refuses is a configuration error: the sensor says so
 * in one line naming the broker, the cause and what was not delivered, and exits non-zero.
 */
class SensorRefusedByKafkaTest {
    @TempDir
    Path dir;

    @Test
    void aSaslSensorAgainstAPlainListenerStopsWithOneClearLine() throws Exception {
        assertTrue("root".equals(System.getProperty("user.name")),
                "live capture needs root: run the tests as root, as .ci/run does");
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3))) {
            try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                TopicSetup.ensure(admin, 3, Map.of());
            }
            Path config = dir.resolve("kafka.properties");
            Files.writeString(config, """
                    security.protocol=SASL_PLAINTEXT
                    sasl.mechanism=SCRAM-SHA-256
                    sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="sensor" password="not-logged";
                    """);
            Path log = dir.resolve("sensor.log");
            Process sensor = LiveSensors.startHere(log, "--bootstrap-servers", broker.bootstrapServers(), "--kafka-config",
                    config.toString(), "--host", "refused", "--interface", "lo", "--filter", "udp port 9");
            try {
                boolean exited = sensor.waitFor(90, TimeUnit.SECONDS);
                String output = Files.readString(log);
                assertTrue(exited, "the sensor still runs, delivering nothing:\n" + output);
                assertNotEquals(0, sensor.exitValue(), output);
                Matcher line = Pattern.compile("sensor refused: stopped: Kafka at " + Pattern.quote(broker.bootstrapServers())
                        + " refused the sensor: (.+); ([\\d,]+) records were not delivered").matcher(output);
                assertTrue(line.find(), output);
                System.out.println(output);
                assertTrue(line.group(1).contains("Exception"), "names the cause: " + line.group(1));
                assertTrue(Long.parseLong(line.group(2).replace(",", "")) > 0, "the ticks it could not send are counted");
                assertTrue(!output.contains("not-logged"), "the password is not logged");
            } finally {
                sensor.destroyForcibly();
            }
        }
    }
}
