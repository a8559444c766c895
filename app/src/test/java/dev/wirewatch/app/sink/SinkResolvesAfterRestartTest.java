package dev.wirewatch.app.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wirewatch.record.Alert;
import dev.wirewatch.schemas.Topics;
import dev.wirewatch.sink.AlertSink;
import dev.wirewatch.sink.delivery.RetryPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21, item 5: a sink's open conditions live in ww.sink.open, so the next sink of its group resolves what it
 * opened — once, also when the sink before it was killed with SIGKILL. "Not again" is checked without sleeping: a
 * later condition's resolution arrives after the quiet period, and a condition resolved twice would have come first.
 */
class SinkResolvesAfterRestartTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RetryPolicy RETRY = new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1));
    private static final Duration QUIET = Duration.ofSeconds(3);
    private static SinkTestBroker broker;

    @TempDir
    Path temp;

    @BeforeAll
    static void start() {
        broker = new SinkTestBroker();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void aRestartedSinkResolvesWhatItsPredecessorOpenedOnce() throws Exception {
        try (RecordingHttpServer receiver = RecordingHttpServer.on(0)) {
            String webhook = "webhook:http://127.0.0.1:" + receiver.port() + "/hook";
            broker.publish(SinkTestBroker.alert("restart-a", 1, "NO_ANSWER", "198.51.100.31:80"));
            AlertSink first = broker.start("restart", new SimpleMeterRegistry(), RETRY, QUIET, webhook);
            SinkTestBroker.await(() -> count(receiver, "firing", "198.51.100.31:80") == 1, () -> "the alert");
            first.close(); // before its quiet period ends: only the next sink can resolve it

            AlertSink second = broker.start("restart", new SimpleMeterRegistry(), RETRY, QUIET, webhook);
            SinkTestBroker.await(() -> count(receiver, "resolved", "198.51.100.31:80") == 1,
                    () -> "the resolution by the next sink: " + SinkTestBroker.lines(receiver.requests()));
            second.close();

            AlertSink third = broker.start("restart", new SimpleMeterRegistry(), RETRY, QUIET, webhook);
            broker.publish(SinkTestBroker.alert("restart-b", 1, "NO_ANSWER", "198.51.100.32:80"));
            SinkTestBroker.await(() -> count(receiver, "resolved", "198.51.100.32:80") == 1, () -> "a later condition resolved");
            third.close();
            assertEquals(1, count(receiver, "resolved", "198.51.100.31:80"), "resolved once: " + SinkTestBroker.lines(receiver.requests()));
            assertEquals(1, count(receiver, "firing", "198.51.100.31:80"), "sent once");
        }
    }

    @Test
    void aSinkKilledWhileAConditionIsOpenOrRightAfterResolvingItResolvesItOnce() throws Exception {
        try (RecordingHttpServer receiver = RecordingHttpServer.on(0)) {
            String webhook = "webhook:http://127.0.0.1:" + receiver.port() + "/hook";
            broker.publish(SinkTestBroker.alert("killed-a", 1, "NO_ANSWER", "198.51.100.41:80"));
            Process first = sinkProcess(webhook, "first");
            SinkTestBroker.await(() -> count(receiver, "firing", "198.51.100.41:80") == 1, () -> "the alert");
            awaitCommitted(); // (a kill before the commit sends the alert again: at least once, not this test's subject)
            first.destroyForcibly().waitFor(); // SIGKILL while the condition is open

            Process second = sinkProcess(webhook, "second");
            SinkTestBroker.await(() -> count(receiver, "resolved", "198.51.100.41:80") == 1, () -> "resolved by the next sink");
            SinkTestBroker.await(() -> resolvedInKafka("198.51.100.41:80"), () -> "its tombstone in " + Topics.SINK_OPEN);
            second.destroyForcibly().waitFor(); // SIGKILL right after the resolution is finished

            Process third = sinkProcess(webhook, "third");
            try {
                broker.publish(SinkTestBroker.alert("killed-b", 1, "NO_ANSWER", "198.51.100.42:80"));
                SinkTestBroker.await(() -> count(receiver, "resolved", "198.51.100.42:80") == 1, () -> "a later condition resolved");
            } finally {
                third.destroyForcibly().waitFor();
            }
            assertEquals(1, count(receiver, "resolved", "198.51.100.41:80"), "resolved once: " + SinkTestBroker.lines(receiver.requests()));
            assertEquals(1, count(receiver, "firing", "198.51.100.41:80"), "sent once");
        }
    }

    /**
     * A sink process of group "killed". The group gives a killed sink's partition to the next one when the killed
     * one's session expires: after 10 s here instead of the default 45, which only made this test wait.
     */
    private Process sinkProcess(String webhook, String name) throws Exception {
        Path session = Files.writeString(temp.resolve("session.properties"),
                "session.timeout.ms=10000\nheartbeat.interval.ms=1000\n");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "dev.wirewatch.app.Main", "sink", "--bootstrap-servers",
                broker.bootstrapServers(), "--kafka-config", session.toString(), "--group-id", "killed", "--from-start",
                "--group-wait", "0s", "--resolve-after", QUIET.toSeconds() + "s", "--retry-backoff", "100ms",
                "--to", webhook);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(temp.resolve(name + ".log").toFile()).start();
        assertTrue(process.isAlive(), "the sink runs");
        return process;
    }

    /** Until group "killed" has committed every alert on ww.alerts. */
    private static void awaitCommitted() throws Exception {
        try (Admin admin = Admin.create(broker.clientConfig())) {
            TopicPartition alerts = new TopicPartition(Topics.ALERTS, 0);
            long end = admin.listOffsets(Map.of(alerts, OffsetSpec.latest())).all().get().get(alerts).offset();
            SinkTestBroker.await(() -> {
                try {
                    OffsetAndMetadata committed = admin.listConsumerGroupOffsets("killed").partitionsToOffsetAndMetadata()
                            .get().get(alerts);
                    return committed != null && committed.offset() >= end;
                } catch (Exception e) {
                    return false;
                }
            }, () -> "the sink's commit");
        }
    }

    /** Notifications of {@code status} about {@code server} the receiver got. */
    private static long count(RecordingHttpServer receiver, String status, String server) {
        return SinkTestBroker.lines(receiver.requests()).stream().map(SinkResolvesAfterRestartTest::parse)
                .filter(body -> body.get("status").asText().equals(status))
                .filter(body -> body.get("alerts").get(0).get("server").asText().equals(server)).count();
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the last record of ww.sink.open about {@code server} is a tombstone. */
    private static boolean resolvedInKafka(String server) {
        Map<String, Object> properties = new HashMap<>(broker.clientConfig());
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Boolean resolved = null;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(Topics.SINK_OPEN).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            var end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() != null && record.key().contains(server)) {
                        resolved = record.value() == null;
                    }
                }
            }
        }
        return Boolean.TRUE.equals(resolved);
    }
}
