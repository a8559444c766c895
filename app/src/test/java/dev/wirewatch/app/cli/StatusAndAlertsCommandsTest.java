package dev.wirewatch.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wirewatch.app.Main;
import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.SensorStatus;
import dev.wirewatch.record.Severity;
import dev.wirewatch.record.UndeliveredAlert;
import dev.wirewatch.schemas.RecordCodec;
import dev.wirewatch.schemas.Topics;
import dev.wirewatch.sensor.emit.RecordPublisher;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * `wirewatch status` and `wirewatch alerts` on a real broker holding sensor statuses, a tick, alerts (one of them
 * refined under its id), a given-up delivery, a tombstone and garbage: what they print, and that --since, --type
 * and --severity filter.
 */
class StatusAndAlertsCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static long NOW_MICROS;
    private static EmbeddedBroker broker;

    private record Outcome(int code, String out, String err) {}

    @BeforeAll
    static void fill() throws Exception {
        broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3));
        NOW_MICROS = System.currentTimeMillis() * 1000;
        Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (Admin admin = Admin.create(client)) {
            TopicSetup.ensure(admin, 3, Map.of());
        }
        try (RecordPublisher sensors = new RecordPublisher(client)) {
            sensors.status(status("web", NOW_MICROS - 15_000_000, 1_000, false, null));
            sensors.status(status("web", NOW_MICROS - 5_000_000, 6_000, false, null));
            sensors.status(status("db", NOW_MICROS - 3_000_000, 50, true, "CAPTURE_DROPS: 12 packets dropped"));
            sensors.status(status("old", NOW_MICROS - 600_000_000, 10, false, null));
            sensors.tick("web", NOW_MICROS - 1_000_000, false);
            sensors.flush();
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(client, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            alert(producer, "a1", "UNANSWERED_SYN", Severity.warning, NOW_MICROS - 600_000_000L, 1);
            alert(producer, "a2", "CONNECTION_REFUSED", Severity.info, NOW_MICROS - 3 * 3_600_000_000L, 1);
            alert(producer, "a1", "UNANSWERED_SYN", Severity.warning, NOW_MICROS - 500_000_000L, 5);
            alert(producer, "a3", "SENSOR_DEGRADED", Severity.critical, NOW_MICROS - 60_000_000L, 1);
            producer.send(new ProducerRecord<>(Topics.ALERTS, "gone".getBytes(StandardCharsets.UTF_8), null));
            producer.send(new ProducerRecord<>(Topics.ALERTS, null, "garbage".getBytes(StandardCharsets.UTF_8)));
            producer.send(new ProducerRecord<>(Topics.SENSORS, "x".getBytes(StandardCharsets.UTF_8), null));
            producer.send(new ProducerRecord<>(Topics.SENSORS, "y".getBytes(StandardCharsets.UTF_8),
                    "garbage".getBytes(StandardCharsets.UTF_8)));
            UndeliveredAlert given = UndeliveredAlert.newBuilder().setAlert(alertRecord("a3", "SENSOR_DEGRADED",
                    Severity.critical, NOW_MICROS - 60_000_000L, 1)).setOutput("webhook:hooks.example.com")
                    .setReason("HTTP 500").setAttempts(8).setFailedAtMillis(NOW_MICROS / 1000).build();
            producer.send(new ProducerRecord<>(Topics.ALERTS_UNDELIVERED, null, NOW_MICROS / 1000, null,
                    RecordCodec.shared().encode(given)));
            producer.flush();
        }
        // The processor's group has read nothing of ww.packets yet.
        try (Admin admin = Admin.create(client)) {
            Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
            for (int partition = 0; partition < 3; partition++) {
                start.put(new TopicPartition(Topics.PACKETS, partition), new OffsetAndMetadata(0));
            }
            admin.alterConsumerGroupOffsets("wirewatch-processor", start).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static SensorStatus status(String host, long tsMicros, long captured, boolean degraded, String reason) {
        return SensorStatus.newBuilder().setSensorId(host).setHost(host).setVersion("test").setTsMicros(tsMicros)
                .setCaptured(List.of("eth0")).setPacketsCaptured(captured).setRecordsEmitted(captured / 10)
                .setPcapDropped(degraded ? 12 : 0).setDegraded(degraded).setReason(reason).build();
    }

    private static Alert alertRecord(String id, String type, Severity severity, long lastSeenMicros, long count) {
        return Alert.newBuilder().setId(id).setType(type).setSeverity(severity).setFirstSeenMicros(lastSeenMicros - 1)
                .setLastSeenMicros(lastSeenMicros).setCount(count).setSummary(type + " summary " + count)
                .setHint("hint").build();
    }

    private static void alert(KafkaProducer<byte[], byte[]> producer, String id, String type, Severity severity,
                              long lastSeenMicros, long count) {
        producer.send(new ProducerRecord<>(Topics.ALERTS, null, lastSeenMicros / 1000, id.getBytes(StandardCharsets.UTF_8),
                RecordCodec.shared().encode(alertRecord(id, type, severity, lastSeenMicros, count))));
    }

    private static Outcome run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", broker.bootstrapServers()));
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            int code = Main.run(all.toArray(String[]::new));
            return new Outcome(code, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static List<JsonNode> jsonl(String text) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : text.lines().filter(line -> !line.isBlank()).toList()) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    private static List<String> ids(Outcome outcome) throws Exception {
        assertEquals(0, outcome.code(), outcome.err());
        return jsonl(outcome.out()).stream().map(alert -> alert.get("id").asText() + ":" + alert.get("count").asLong()).toList();
    }

    @Test
    void alertsShowsEachFindingOnceAsItsLatestRevisionAndFilters() throws Exception {
        Outcome all = run("alerts", "--format", "jsonl");
        assertEquals(List.of("a2:1", "a1:5", "a3:1"), ids(all), "oldest first, a1 as refined");
        assertTrue(all.err().contains("2 records on ww.alerts skipped"), all.err());
        assertEquals(List.of("a1:5", "a3:1"), ids(run("alerts", "--since", "1h", "--format", "jsonl")));
        assertEquals(List.of("a2:1"), ids(run("alerts", "--type", "CONNECTION_REFUSED", "--format", "jsonl")));
        assertEquals(List.of("a3:1"), ids(run("alerts", "--severity", "critical", "--format", "jsonl")));
        Outcome text = run("alerts", "--since", "1h");
        assertTrue(text.out().contains("UNANSWERED_SYN summary 5") && !text.out().contains("UNANSWERED_SYN summary 1"),
                text.out());
        assertTrue(run("alerts", "--since", "yesterday").err().contains("--since 'yesterday' is not a time"));
    }

    @Test
    void statusSaysWhichSensorsAreLiveDegradedOrSilentAndHowFarBehindTheProcessorIs() throws Exception {
        // Generous for a slow machine: the statuses were written seconds (or, busy, a minute) ago.
        Outcome text = run("status", "--stale-after", "5m");
        assertEquals(0, text.code(), text.err());
        String web = row(text.out(), "web");
        assertTrue(web.contains("live") && web.contains("eth0") && web.contains("500.0"), "5000 packets in 10 s: " + web);
        assertTrue(web.matches(".*live\\s+eth0\\s+\\d+ s ago\\s+\\d+ s ago.*"), "last status and last tick: " + web);
        String db = row(text.out(), "db");
        assertTrue(db.contains("degraded") && db.contains("CAPTURE_DROPS: 12 packets dropped") && db.contains(" 12 "), db);
        String old = row(text.out(), "old");
        assertTrue(old.contains("silent") && old.matches(".*no status for 6\\d\\d s.*"), old);
        assertTrue(text.out().contains("webhook:hooks.example.com: 1 alert given up in the last hour"), text.out());

        Map<String, JsonNode> byKind = new HashMap<>();
        for (JsonNode line : jsonl(run("status", "--stale-after", "5m", "--format", "jsonl").out())) {
            byKind.put(line.get("kind").asText() + ":" + line.path("host").asText(), line);
        }
        assertEquals("degraded", byKind.get("sensor:db").get("state").asText());
        assertEquals("live", byKind.get("sensor:web").get("state").asText());
        assertEquals(500.0, byKind.get("sensor:web").get("packets_per_second").asDouble(), 0.001);
        long packets;
        try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            for (int partition = 0; partition < 3; partition++) {
                ends.put(new TopicPartition(Topics.PACKETS, partition), OffsetSpec.latest());
            }
            packets = admin.listOffsets(ends).all().get().values().stream().mapToLong(info -> info.offset()).sum();
        }
        assertTrue(packets >= 3, "the tick went to every partition");
        assertEquals(packets, byKind.get("processor:").get("lag").get(Topics.PACKETS).asLong());
        assertTrue(byKind.get("sink:").get("lag").get(Topics.ALERTS).isNull(), "the sink never committed");
        assertEquals(1, byKind.get("sink:").get("undelivered_last_hour").get("webhook:hooks.example.com").asInt());
    }

    private static String row(String table, String host) {
        return table.lines().filter(line -> line.trim().startsWith(host + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + host + ":\n" + table));
    }
}
