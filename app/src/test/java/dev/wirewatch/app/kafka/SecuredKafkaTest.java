package dev.wirewatch.app.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.Wirewatch;
import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.BrokerSecurity;
import dev.wirewatch.app.broker.EmbeddedBroker;
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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
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
 * A secured cluster as an operator runs one: the broker speaks only TLS, every component logs in with SCRAM-SHA-512 as
 * its own principal, and the ACLs of {@link ComponentAcls} are all it may do. Seed case 1 goes through sensors, the
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
    private static EmbeddedBroker broker;
    private static String storePassword;
    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void securedBrokerWithOnePrincipalPerComponent() throws Exception {
        storePassword = secret();
        BrokerSecurity security = TestCertificates.generate(dir, storePassword);
        broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3).secured(security));
        try (Admin admin = Admin.create(broker.adminClientConfig())) {
            TopicSetup.ensure(admin, 3, Map.of());
            List<UserScramCredentialUpsertion> users = new ArrayList<>();
            for (String component : List.of("sensor", "processor", "sink")) {
                PASSWORDS.put(component, secret());
                users.add(new UserScramCredentialUpsertion("wirewatch-" + component,
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), PASSWORDS.get(component)));
            }
            admin.alterUserScramCredentials(List.copyOf(users)).all().get(30, TimeUnit.SECONDS);
            admin.createAcls(ComponentAcls.sensor("User:wirewatch-sensor")).all().get(30, TimeUnit.SECONDS);
            admin.createAcls(ComponentAcls.processor("User:wirewatch-processor", "secured-test")).all()
                    .get(30, TimeUnit.SECONDS);
            admin.createAcls(ComponentAcls.sink("User:wirewatch-sink", "wirewatch-sink")).all().get(30, TimeUnit.SECONDS);
        }
        for (String component : PASSWORDS.keySet()) {
            Files.writeString(dir.resolve(component + ".properties"), clientProperties(component, PASSWORDS.get(component)));
        }
        Files.writeString(dir.resolve("wrong.properties"), clientProperties("sensor", "not-" + PASSWORDS.get("sensor")));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
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
                "--application-id", "secured-test", "--state-dir", dir.resolve("state").toString());
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
            List<String> arguments = new ArrayList<>(List.of(command, "--bootstrap-servers", broker.bootstrapServers(),
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
        List<String> all = new ArrayList<>(List.of(command, "--bootstrap-servers", broker.bootstrapServers(),
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
        config.put("bootstrap.servers", broker.bootstrapServers());
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
