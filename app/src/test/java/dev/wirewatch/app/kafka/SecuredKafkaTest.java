package dev.wirewatch.app.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.Wirewatch;
import dev.wirewatch.app.sink.RecordingHttpServer;
import dev.wirewatch.app.broker.BrokerSecurity;
import dev.wirewatch.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secured broker as a small site runs one (`wirewatch broker --tls-keystore ... --users DIR`): it speaks only TLS,
 * every component logs in with SCRAM-SHA-512 as its own principal, and the ACLs of {@link ComponentAcls} are all it
 * may do. Seed case 1 goes through sensors, the
 * processor and the sink over it and comes out as the finding it should be; a sensor's principal cannot read or
 * write alerts; a wrong password stops a component within seconds with one line naming the refusal; and no password
 * appears in anything the components printed or logged.
 */
class SecuredKafkaTest {
    private static final Path CASE = Path.of(System.getProperty("user.dir")).getParent()
            .resolve("deploy/samples/01-firewall-drop");
    private static final Map<String, String> PASSWORDS = new HashMap<>();

    @TempDir
    static Path dir;
    private static Process broker;
    private static String bootstrap;
    private static String storePassword;
    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void aSmallSitesBrokerWithTlsAndOneLoginPerComponent() throws Exception {
        storePassword = secret();
        BrokerSecurity security = TestCertificates.generate(dir, storePassword);
        Path users = Files.createDirectories(dir.resolve("users"));
        for (String component : Principals.COMPONENTS) {
            PASSWORDS.put(component, secret());
            Files.writeString(users.resolve(component + ".password"), PASSWORDS.get(component) + "\n");
        }
        Files.writeString(dir.resolve("stores.password"), storePassword + "\n");
        bootstrap = "127.0.0.1:" + RecordingHttpServer.freePort();
        broker = Wirewatch.start(dir.resolve("broker.log"), List.of("broker", "--port", bootstrap.split(":")[1],
                "--data", dir.resolve("kafka").toString(), "--tls-keystore", security.keyStore().toString(),
                "--tls-truststore", security.trustStore().toString(), "--tls-password-file",
                dir.resolve("stores.password").toString(), "--users", users.toString()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!Files.readString(dir.resolve("broker.log")).contains("serving SASL_SSL on " + bootstrap)) {
            assertTrue(broker.isAlive() && System.nanoTime() < deadline, "the broker did not start: "
                    + Files.readString(dir.resolve("broker.log")));
            Thread.sleep(200);
        }
        for (String component : PASSWORDS.keySet()) {
            Files.writeString(dir.resolve(component + ".properties"), clientProperties(component, PASSWORDS.get(component)));
        }
        Files.writeString(dir.resolve("wrong.properties"), clientProperties("sensor", "not-" + PASSWORDS.get("sensor")));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.destroy();
            broker.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @AfterEach
    void stopComponents() throws InterruptedException {
        for (Process process : processes) {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void seedCase1GoesThroughSensorsProcessorAndSinkEachLoggedInAsItself() throws Exception {
        Path alerts = dir.resolve("alerts.jsonl");
        start("processor", "processor", "processor", "--topology", CASE.resolve("topology.yaml").toString(),
                "--state-dir", dir.resolve("state").toString());
        start("sink", "sink", "sink", "--from-start", "--to", "jsonl:" + alerts);
        List<Process> sensors = new ArrayList<>();
        for (String host : List.of("client", "server")) {
            sensors.add(start("sensor", "sensor-" + host, "sensor", "--host", host, "--read",
                    CASE.resolve(host + ".pcap").toString()));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        String found = "";
        while (!found.contains("\"DROPPED_AT_SERVER_HOST\"") && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            found = Files.exists(alerts) ? Files.readString(alerts) : "";
        }
        assertTrue(found.contains("\"UNANSWERED_SYN\"") && found.contains("\"DROPPED_AT_SERVER_HOST\"")
                && found.contains("198.51.100.20"), "the sink delivered seed case 1's finding: " + found + logs());
        assertFalse(found.contains(":443"), "the answered service stays quiet: " + found);
        for (Process sensor : sensors) {
            assertTrue(sensor.waitFor(30, TimeUnit.SECONDS) && sensor.exitValue() == 0,
                    "the sensors replayed their captures and ended cleanly" + logs());
        }
        assertNoSecretIn(logs());
        assertNoSecretIn(Files.readString(dir.resolve("kafka/server.properties"))); // the broker's reference copy
    }

    @Test
    void aSensorsPrincipalCanNeitherReadNorWriteAlerts() throws Exception {
        Map<String, Object> sensor = new HashMap<>(clientConfig("sensor"));
        sensor.put(ConsumerConfig.GROUP_ID_CONFIG, "wirewatch-sensor-snooping");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(sensor, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(Topics.ALERTS, 0)));
            consumer.seekToBeginning(consumer.assignment());
            assertThrows(TopicAuthorizationException.class, () -> consumer.poll(Duration.ofSeconds(10)));
        }
        Map<String, Object> producerConfig = new HashMap<>(clientConfig("sensor"));
        producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            ExecutionException refused = assertThrows(ExecutionException.class, () -> producer.send(
                    new ProducerRecord<>(Topics.ALERTS, "forged".getBytes())).get(30, TimeUnit.SECONDS));
            assertInstanceOf(TopicAuthorizationException.class, refused.getCause());
            // what it may do, it can: the same producer writes its own topic
            producer.send(new ProducerRecord<>(Topics.SENSORS, "probe".getBytes(), null)).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aWrongPasswordStopsAComponentWithinSecondsSayingKafkaRefusedIt() throws Exception {
        for (String command : List.of("sensor", "processor")) {
            List<String> arguments = new ArrayList<>(List.of(command, "--bootstrap-servers", bootstrap,
                    "--kafka-config", dir.resolve("wrong.properties").toString()));
            arguments.addAll(command.equals("sensor")
                    ? List.of("--host", "client", "--read", CASE.resolve("client.pcap").toString())
                    : List.of("--state-dir", dir.resolve("wrong-state").toString()));
            Path log = dir.resolve("wrong-" + command + ".log");
            Process process = Wirewatch.start(log, arguments);
            processes.add(process);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), command + " still runs with a wrong password: "
                    + Files.readString(log));
            String output = Files.readString(log);
            assertTrue(process.exitValue() != 0, command + " exits non-zero: " + output);
            assertTrue(output.contains("refused") && output.contains("Authentication failed"),
                    command + " says Kafka refused the login: " + output);
            assertTrue(output.lines().filter(line -> line.contains("Authentication failed")).count() <= 2,
                    command + " says it once, without a stack of repeats: " + output);
            assertNoSecretIn(output);
        }
    }

    private Process start(String principal, String log, String command, String... arguments) throws Exception {
        List<String> all = new ArrayList<>(List.of(command, "--bootstrap-servers", bootstrap,
                "--kafka-config", dir.resolve(principal + ".properties").toString()));
        all.addAll(List.of(arguments));
        Process process = Wirewatch.start(dir.resolve(log + ".log"), all);
        processes.add(process);
        return process;
    }

    private String logs() throws Exception {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path log : files.filter(file -> file.toString().endsWith(".log")).sorted().toList()) {
                all.append("\n--- ").append(log.getFileName()).append('\n').append(Files.readString(log));
            }
        }
        return all.toString();
    }

    private static void assertNoSecretIn(String output) {
        List<String> secrets = new ArrayList<>(PASSWORDS.values());
        secrets.add(storePassword);
        for (String secret : secrets) {
            assertFalse(output.contains(secret), "a password appears in the output");
        }
        assertFalse(output.contains("PRIVATE KEY"), "a key appears in the output");
    }

    private static Map<String, Object> clientConfig(String component) throws Exception {
        var properties = new java.util.Properties();
        properties.load(new java.io.StringReader(Files.readString(dir.resolve(component + ".properties"))));
        Map<String, Object> config = new HashMap<>();
        properties.forEach((key, value) -> config.put(key.toString(), value));
        config.put("bootstrap.servers", bootstrap);
        return config;
    }

    private static String clientProperties(String component, String password) {
        return "security.protocol=SASL_SSL\n"
                + "sasl.mechanism=SCRAM-SHA-512\n"
                + "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"wirewatch-"
                + component + "\" password=\"" + password + "\";\n"
                + "ssl.truststore.type=PKCS12\n"
                + "ssl.truststore.location=" + dir.resolve("truststore.p12") + "\n"
                + "ssl.truststore.password=" + storePassword + "\n";
    }

    private static String secret() {
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
