package dev.wirewatch.app.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wirewatch.app.kafka.TopicReads;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.UndeliveredAlert;
import dev.wirewatch.schemas.AvroSerde;
import dev.wirewatch.schemas.Topics;
import dev.wirewatch.sink.AlertSink;
import dev.wirewatch.sink.delivery.RetryPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Delivery guarantees against a real local HTTP receiver, with the findings of every bundled case. */
class WebhookDeliveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RetryPolicy QUICK_RETRIES = new RetryPolicy(12, Duration.ofMillis(200), Duration.ofSeconds(2));

    @Test
    void aWebhookThatIsDownForAWhileGetsEveryAlertExactlyOnceAndARestartSendsNothingAgain(@TempDir Path dir) throws Exception {
        List<Alert> expected = AnalyzedAlerts.alerts();
        Path secret = Files.writeString(dir.resolve("hook.key"), "s3cret-for-test\n");
        int port = RecordingHttpServer.freePort();
        String group = "webhook-outage";
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        AlertSink sink = AnalyzedAlerts.start(AnalyzedAlerts.config(group, Duration.ZERO, Duration.ZERO, QUICK_RETRIES,
                "webhook:http://127.0.0.1:" + port + "/hook;secret-file=" + secret), registry);
        String output = "webhook:127.0.0.1:" + port;
        // Nothing listens yet: wait until the sink has tried, failed and is backing off.
        awaitTrue(() -> registry.find("wirewatch.sink.retried").tag("output", output).counters().stream()
                .anyMatch(counter -> counter.count() >= 2), Duration.ofSeconds(60));
        List<RecordingHttpServer.Request> requests;
        try (RecordingHttpServer receiver = RecordingHttpServer.on(port)) {
            awaitTrue(() -> receivedIds(receiver.requests()).size() >= expected.size(), Duration.ofSeconds(60));
            sink.close();
            requests = receiver.requests();
        }
        List<String> ids = receivedIds(requests);
        assertEquals(expected.size(), ids.size(), "one delivery per alert: " + ids);
        assertEquals(idsOf(expected), new TreeSet<>(ids), "every alert the processor wrote");
        for (RecordingHttpServer.Request request : requests) {
            assertEquals("POST", request.method());
            assertEquals("/hook", request.path());
            assertEquals("sha256=" + hmac("s3cret-for-test", request.body()), request.signature(), "HMAC of the exact body");
            assertEquals("firing", JSON.readTree(request.body()).get("status").asText());
        }
        assertEquals(expected.size(), registry.get("wirewatch.sink.delivered").counter().count());
        String scrape = registry.scrape();
        assertTrue(scrape.contains("wirewatch_sink_delivered_total{output=\"webhook:127.0.0.1:" + port + "\"} " + expected.size()),
                "as /metrics shows it:\n" + scrape);
        assertTrue(scrape.contains("wirewatch_sink_delivery_latency_seconds_count{output=\"webhook:127.0.0.1:" + port + "\"}"));

        try (Admin admin = Admin.create(AnalyzedAlerts.clientConfig())) {
            int partitions = ends(Topics.ALERTS).size();
            // Restarted in the same group: once it owns the partitions and has polled a while, nothing may arrive.
            try (RecordingHttpServer receiver = RecordingHttpServer.on(port)) {
                AlertSink restarted = AnalyzedAlerts.start(AnalyzedAlerts.config(group, Duration.ZERO, Duration.ZERO,
                        QUICK_RETRIES, "webhook:http://127.0.0.1:" + port + "/hook"), new SimpleMeterRegistry());
                awaitTrue(() -> assigned(admin, group) == partitions, Duration.ofSeconds(60));
                Thread.sleep(3000);
                restarted.close();
                assertEquals(List.of(), receiver.requests(), "the restarted sink resumes after what was delivered");
            }
        }
    }

    @Test
    void anOutputThatRefusesGivesUpToTheUndeliveredTopicWithoutHoldingUpTheOthers(@TempDir Path dir) throws Exception {
        List<Alert> expected = AnalyzedAlerts.alerts();
        Map<TopicPartition, Long> undeliveredBefore = ends(Topics.ALERTS_UNDELIVERED);
        Path lines = dir.resolve("alerts.jsonl");
        try (RecordingHttpServer refusing = RecordingHttpServer.on(0)) {
            refusing.answer(400);
            AlertSink sink = AnalyzedAlerts.start(AnalyzedAlerts.config(null, Duration.ZERO, Duration.ZERO, QUICK_RETRIES,
                    "webhook:http://127.0.0.1:" + refusing.port() + "/hook", "jsonl:" + lines), new SimpleMeterRegistry());
            awaitTrue(() -> read(Topics.ALERTS_UNDELIVERED, undeliveredBefore).size() >= expected.size(), Duration.ofSeconds(60));
            sink.close();
            List<String> attempted = receivedIds(refusing.requests());
            assertEquals(expected.size(), attempted.size(), "a 400 is not retried: " + attempted);
        }
        List<UndeliveredAlert> undelivered = new ArrayList<>();
        var decoder = AvroSerde.of(UndeliveredAlert.class).deserializer();
        for (ConsumerRecord<byte[], byte[]> record : read(Topics.ALERTS_UNDELIVERED, undeliveredBefore)) {
            undelivered.add(decoder.deserialize(record.topic(), record.value()));
        }
        assertEquals(idsOf(expected), new TreeSet<>(undelivered.stream().map(item -> item.getAlert().getId()).toList()));
        assertTrue(undelivered.stream().allMatch(item -> item.getReason().startsWith("HTTP 400")
                && item.getOutput().startsWith("webhook:127.0.0.1:") && item.getAttempts() == 1), undelivered.get(0).toString());
        List<String> written = new ArrayList<>();
        for (String line : Files.readAllLines(lines)) {
            written.add(JSON.readTree(line).get("id").asText());
        }
        assertEquals(idsOf(expected), new TreeSet<>(written), "the file output got everything meanwhile");
        assertEquals(expected.size(), written.size());
    }

    @Test
    void rateLimitSeverityFilterDuplicatesAndGarbage(@TempDir Path dir) throws Exception {
        List<Alert> expected = AnalyzedAlerts.alerts();
        List<Alert> criticals = expected.stream().filter(alert -> alert.getSeverity().name().equals("critical")).toList();
        Alert critical = criticals.get(0);
        Map<TopicPartition, Long> undeliveredBefore = ends(Topics.ALERTS_UNDELIVERED);
        Map<TopicPartition, Long> deadBefore = ends(Topics.DEADLETTER);
        // The same finding written again (as a second processor run would) and a record that is no alert at all.
        publish(critical);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(AnalyzedAlerts.clientConfig(), new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.ALERTS, "garbage", "not avro".getBytes(StandardCharsets.UTF_8))).get();
        }
        var decoder = AvroSerde.of(UndeliveredAlert.class).deserializer();
        try (RecordingHttpServer limited = RecordingHttpServer.on(0); RecordingHttpServer criticalOnly = RecordingHttpServer.on(0)) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            AlertSink sink = AnalyzedAlerts.start(AnalyzedAlerts.config(null, Duration.ZERO, Duration.ZERO, QUICK_RETRIES,
                    "webhook:http://127.0.0.1:" + limited.port() + "/;rate=3/h",
                    "webhook:http://127.0.0.1:" + criticalOnly.port() + "/;min-severity=critical"), registry);
            awaitTrue(() -> receivedIds(limited.requests()).size() + read(Topics.ALERTS_UNDELIVERED, undeliveredBefore).size()
                    >= expected.size(), Duration.ofSeconds(60));
            awaitTrue(() -> receivedIds(criticalOnly.requests()).size() >= criticals.size(), Duration.ofSeconds(30));
            Thread.sleep(1000);
            sink.close();
            assertEquals(3, limited.requests().size(), "3 notifications per hour");
            assertEquals(idsOf(criticals).stream().toList(), receivedIds(criticalOnly.requests()).stream().sorted().toList(),
                    "only the critical ones, once each (the repeated one too)");
            assertEquals(1.0, registry.get("wirewatch.sink.duplicates").counter().count());
            assertEquals(1.0, registry.get("wirewatch.sink.undecodable").counter().count());

            List<ConsumerRecord<byte[], byte[]>> held = read(Topics.ALERTS_UNDELIVERED, undeliveredBefore);
            assertTrue(held.stream().map(record -> decoder.deserialize(record.topic(), record.value()).getReason())
                    .allMatch(reason -> reason.startsWith("rate limit 3/h")));
            List<String> accounted = new ArrayList<>(receivedIds(limited.requests()));
            held.forEach(record -> accounted.add(decoder.deserialize(record.topic(), record.value()).getAlert().getId()));
            assertEquals(expected.size(), accounted.size(), "each alert sent or held back, once");
            assertEquals(idsOf(expected), new TreeSet<>(accounted));
        }
        assertEquals(1, read(Topics.DEADLETTER, deadBefore).size(), "the garbage record went to ww.deadletter");
    }

    @Test
    void burstsOfOneConditionAreOneNotificationAndEachConditionIsResolvedOnceItStops() throws Exception {
        List<Alert> expected = AnalyzedAlerts.alerts();
        Map<String, List<String>> bySubject = new java.util.TreeMap<>();
        expected.forEach(alert -> bySubject.computeIfAbsent(dev.wirewatch.sink.AlertSubject.of(alert),
                subject -> new ArrayList<>()).add(alert.getId()));
        try (RecordingHttpServer receiver = RecordingHttpServer.on(0)) {
            AlertSink sink = AnalyzedAlerts.start(AnalyzedAlerts.config(null, Duration.ofSeconds(2), Duration.ofSeconds(3),
                    QUICK_RETRIES, "webhook:http://127.0.0.1:" + receiver.port() + "/"), new SimpleMeterRegistry());
            awaitTrue(() -> receiver.requests().size() >= 2 * bySubject.size(), Duration.ofSeconds(60));
            Thread.sleep(1000);
            sink.close();
            Map<String, List<String>> firing = new java.util.TreeMap<>();
            Map<String, List<String>> resolved = new java.util.TreeMap<>();
            for (RecordingHttpServer.Request request : receiver.requests()) {
                JsonNode body = JSON.readTree(request.body());
                Map<String, List<String>> into = body.get("status").asText().equals("resolved") ? resolved : firing;
                List<String> ids = new ArrayList<>();
                body.get("alerts").forEach(alert -> ids.add(alert.get("id").asText()));
                assertEquals(null, into.put(body.get("group").asText(), ids), "one notification per condition and status");
            }
            firing.replaceAll((subject, ids) -> ids.stream().sorted().toList());
            bySubject.replaceAll((subject, ids) -> ids.stream().sorted().toList());
            assertEquals(bySubject, firing, "each burst as one notification");
            assertEquals(bySubject.keySet(), resolved.keySet(), "every condition resolved once");
            resolved.forEach((subject, ids) -> assertTrue(ids.size() == 1 && bySubject.get(subject).contains(ids.get(0)),
                    "resolved with one of its own alerts"));
        }
    }

    /** Partitions assigned to the members of a consumer group right now. */
    private static int assigned(Admin admin, String group) {
        try {
            return admin.describeConsumerGroups(List.of(group)).all().get().get(group).members().stream()
                    .mapToInt(member -> member.assignment().topicPartitions().size()).sum();
        } catch (Exception e) {
            return 0;
        }
    }

    /** Writes an alert to ww.alerts as the processor would. */
    static void publish(Alert alert) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(AnalyzedAlerts.clientConfig(), new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.ALERTS, alert.getId(),
                    AvroSerde.of(Alert.class).serializer().serialize(Topics.ALERTS, alert))).get();
        }
    }

    static List<String> receivedIds(List<RecordingHttpServer.Request> requests) {
        List<String> ids = new ArrayList<>();
        for (RecordingHttpServer.Request request : requests) {
            try {
                for (JsonNode alert : JSON.readTree(request.body()).get("alerts")) {
                    ids.add(alert.get("id").asText());
                }
            } catch (java.io.IOException e) {
                throw new AssertionError("not JSON: " + new String(request.body(), StandardCharsets.UTF_8), e);
            }
        }
        return ids;
    }

    static TreeSet<String> idsOf(List<Alert> alerts) {
        return new TreeSet<>(alerts.stream().map(Alert::getId).toList());
    }

    static void awaitTrue(BooleanSupplier condition, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within " + within.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }

    static Map<TopicPartition, Long> ends(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReads.consumer(AnalyzedAlerts.clientConfig())) {
            return TopicReads.endOffsets(consumer, topic);
        }
    }

    static List<ConsumerRecord<byte[], byte[]>> read(String topic, Map<TopicPartition, Long> from) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReads.consumer(AnalyzedAlerts.clientConfig())) {
            Map<TopicPartition, Long> start = new java.util.HashMap<>();
            TopicReads.partitions(consumer, topic).forEach(partition -> start.put(partition, from.getOrDefault(partition, 0L)));
            TopicReads.readToEnd(consumer, start, records::add);
        }
        return records;
    }

    private static String hmac(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }
}
