package dev.wirewatch.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wirewatch.app.analyze.CaptureInput;
import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.processor.ProcessorService;
import dev.wirewatch.processor.TopologyFactory;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.input.SkippedInput;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.ArpEvent;
import dev.wirewatch.record.DeadLetter;
import dev.wirewatch.record.SensorStatus;
import dev.wirewatch.record.Severity;
import dev.wirewatch.record.Tick;
import dev.wirewatch.schemas.AvroSerde;
import dev.wirewatch.schemas.RecordCodec;
import dev.wirewatch.schemas.Topics;
import dev.wirewatch.sensor.CaptureMerge;
import dev.wirewatch.sensor.FileEventSource;
import dev.wirewatch.sensor.emit.EmissionMode;
import dev.wirewatch.sensor.emit.RecordPublisher;
import dev.wirewatch.sink.AlertSink;
import dev.wirewatch.sink.SinkConfig;
import dev.wirewatch.sink.delivery.RetryPolicy;
import dev.wirewatch.sink.output.OutputSpec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, item 3: every consumer survives every record. Each kind of bad record below goes to each topic wirewatch
 * reads, into every partition, before and after the good input of a real run (sample cases 03 and 07 replayed, two
 * sensor statuses). The good input must still give its alerts, delivered by the sink; each bad record must be counted
 * where it was read and copied to ww.deadletter.
 */
class EveryConsumerSurvivesEveryRecordTest {
    private static final Path SAMPLES = Path.of(System.getProperty("wirewatch.samples", "../deploy/samples"));
    private static final Random RANDOM = new Random(18);
    private static EmbeddedBroker broker;
    private static Map<String, Object> client;

    /** The bad records, each made for the topic it goes to (its own type where a valid value is part of the fault). */
    enum Bad {
        NO_KEY, TOMBSTONE, HUGE_900_KB, FOREIGN_AVRO, OTHER_WIREWATCH_TYPE, JSON_TEXT, GARBAGE;

        ProducerRecord<byte[], byte[]> to(String topic, int partition, SpecificRecord valid) {
            byte[] key = "bad".getBytes(StandardCharsets.UTF_8);
            byte[] value = switch (this) {
                case NO_KEY -> RecordCodec.shared().encode(valid);
                case TOMBSTONE -> null;
                case HUGE_900_KB -> withHeaderOf(valid.getSchema(), randomBytes(900 * 1024));
                case FOREIGN_AVRO -> foreignAvro();
                case OTHER_WIREWATCH_TYPE -> RecordCodec.shared().encode(DeadLetter.newBuilder().setTopic(topic)
                        .setPartition(partition).setOffset(0).setReason("not input").build());
                case JSON_TEXT -> "{\"id\":\"a1\",\"type\":\"UNANSWERED_SYN\",\"severity\":\"critical\"}"
                        .getBytes(StandardCharsets.UTF_8);
                case GARBAGE -> randomBytes(200);
            };
            return new ProducerRecord<>(topic, partition, this == NO_KEY ? null : key, value);
        }

        /** A compacted topic's broker refuses a record without key itself: that one cannot reach a reader. */
        boolean acceptedBy(String topic) {
            return !(this == NO_KEY && Topics.COMPACTED.contains(topic));
        }

        static int sentTo(String topic) {
            return (int) java.util.Arrays.stream(values()).filter(bad -> bad.acceptedBy(topic)).count();
        }
    }

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3));
        client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void badRecordsOnEveryTopicAreCountedAndTheGoodOnesStillGiveTheirAlerts(@TempDir Path temp) throws Exception {
        Path case03 = SAMPLES.resolve("03-port-moved");
        Path case07 = SAMPLES.resolve("07-failover-announcement-blocked");
        assertTrue(Files.isDirectory(case03) && Files.isDirectory(case07), "sample cases 03 and 07");
        String applicationId = "survive-" + UUID.randomUUID().toString().substring(0, 8);
        String byServer = TopologyFactory.serviceStageTopic(applicationId);
        int partitions;
        try (Admin admin = Admin.create(client)) {
            partitions = TopicSetup.ensureForProcessor(admin, applicationId);
        }
        // topic → a valid record of what it carries (the NO_KEY fault sends one without its key)
        Map<String, SpecificRecord> topics = new TreeMap<>(Map.of(
                Topics.PACKETS, tick("bad-sensor"),
                Topics.L2, arp(),
                Topics.SENSORS, status(0),
                byServer, tick("bad-sensor"),
                Topics.ALERTS, alert()));
        // before and after the good input, into every partition
        Map<String, Integer> perTopic = new TreeMap<>();
        topics.keySet().forEach(topic -> perTopic.put(topic, 2 * Bad.sentTo(topic) * partitions));
        Map<String, Long> skippedBefore = new TreeMap<>();
        topics.keySet().forEach(topic -> skippedBefore.put(topic, SkippedInput.count(topic)));

        writeBad(topics, partitions);
        Path topology = temp.resolve("topology.yaml");
        Files.writeString(topology, Files.readString(case03.resolve("topology.yaml"))
                + Files.readString(case07.resolve("topology.yaml")).replaceFirst("(?s)^.*?hosts:\n", ""));
        NetworkTopology network = NetworkTopology.load(topology);
        Path delivered = temp.resolve("delivered.jsonl");
        SimpleMeterRegistry sinkMetrics = new SimpleMeterRegistry();
        AlertSink sink = new AlertSink(client, new SinkConfig(Topics.ALERTS, "survive-sink", true,
                List.of(OutputSpec.parse("jsonl:" + delivered)), Duration.ZERO, Duration.ZERO,
                new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1))), sinkMetrics);
        Thread sinkThread = new Thread(sink::run, "test-sink");
        sinkThread.start();
        try (KafkaStreams processor = ProcessorService.create(client, applicationId, temp.resolve("state"), network,
                ProcessorConfig.DEFAULTS, partitions)) {
            processor.start();
            publish(Topics.SENSORS, "sensor-a", status(0));
            replay(network, case03, case07);
            publish(Topics.SENSORS, "sensor-a", status(5)); // five records lost in the sensor's queue since the first
            writeBad(topics, partitions);

            await(() -> types(delivered).containsAll(Set.of("CONNECTION_REFUSED", "ARP_IP_MOVED", "SENSOR_DEGRADED")),
                    () -> "the good input's alerts delivered, got " + types(delivered) + "; skipped "
                            + skippedCounts(topics.keySet(), skippedBefore));
            await(() -> topics.keySet().stream().filter(topic -> !topic.equals(Topics.ALERTS))
                            .allMatch(topic -> SkippedInput.count(topic) - skippedBefore.get(topic) == perTopic.get(topic))
                            && sinkMetrics.counter("wirewatch.sink.undecodable").count() == perTopic.get(Topics.ALERTS),
                    () -> "each bad record counted once: " + skippedCounts(topics.keySet(), skippedBefore) + ", sink "
                            + sinkMetrics.counter("wirewatch.sink.undecodable").count());
            assertTrue(processor.state().isRunningOrRebalancing(), "the processor still runs: " + processor.state());
        } finally {
            sink.close();
            sinkThread.join(60_000);
        }
        Map<String, Integer> deadLetters = deadLettersByTopic();
        for (String topic : topics.keySet()) {
            assertEquals(perTopic.get(topic), deadLetters.getOrDefault(topic, 0), "dead letters from " + topic + ": " + deadLetters);
        }
        assertEquals(idsOnAlertTopic(), ids(delivered), "every alert the processor wrote was delivered, once");
    }

    private static void writeBad(Map<String, SpecificRecord> topics, int partitions) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (Map.Entry<String, SpecificRecord> topic : topics.entrySet()) {
                for (Bad bad : Bad.values()) {
                    for (int partition = 0; partition < partitions && bad.acceptedBy(topic.getKey()); partition++) {
                        producer.send(bad.to(topic.getKey(), partition, topic.getValue())).get();
                    }
                }
            }
        }
    }
    private static void replay(NetworkTopology network, Path... cases) {
        List<CaptureMerge.NamedSource> sources = new ArrayList<>();
        try (RecordPublisher publisher = new RecordPublisher(client, network.nat())) {
            for (Path dir : cases) {
                for (CaptureInput capture : CaptureInput.folder(dir)) {
                    sources.add(new CaptureMerge.NamedSource(capture.host(),
                            new FileEventSource(capture.file(), capture.host(), "eth0")));
                }
            }
            CaptureMerge.replay(sources, publisher, EmissionMode.CONTROL, count -> { });
            publisher.flush();
        } finally {
            sources.forEach(source -> source.events().close());
        }
    }

    private static void publish(String topic, String key, SpecificRecord record) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                    RecordCodec.shared().encode(record))).get();
        }
    }

    /** Dead letters by the topic they were read from: the processor's (raw, with headers) and the sink's (DeadLetter). */
    private static Map<String, Integer> deadLettersByTopic() {
        Map<String, Integer> counts = new TreeMap<>();
        var decoder = AvroSerde.of(DeadLetter.class).deserializer();
        for (ConsumerRecord<byte[], byte[]> record : readAll(Topics.DEADLETTER)) {
            var header = record.headers().lastHeader(ExceptionHandlerUtils.HEADER_ERRORS_TOPIC_NAME);
            String from = header != null ? new String(header.value(), StandardCharsets.UTF_8)
                    : decoder.deserialize(record.topic(), record.value()).getTopic();
            counts.merge(from, 1, Integer::sum);
        }
        return counts;
    }

    private static Set<String> idsOnAlertTopic() {
        Set<String> ids = new TreeSet<>();
        var decoder = AvroSerde.of(Alert.class).deserializer();
        for (ConsumerRecord<byte[], byte[]> record : readAll(Topics.ALERTS)) {
            try {
                Alert alert = decoder.deserialize(record.topic(), record.value());
                if (record.key() != null && alert != null) {
                    ids.add(alert.getId());
                }
            } catch (RuntimeException bad) {
                // one of the test's own bad records
            }
        }
        return ids;
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (var consumer = dev.wirewatch.app.kafka.TopicReads.consumer(client)) {
            Map<org.apache.kafka.common.TopicPartition, Long> from = new TreeMap<>(
                    java.util.Comparator.comparing(org.apache.kafka.common.TopicPartition::toString));
            dev.wirewatch.app.kafka.TopicReads.partitions(consumer, topic).forEach(partition -> from.put(partition, 0L));
            dev.wirewatch.app.kafka.TopicReads.readToEnd(consumer, from, records::add);
        }
        return records;
    }

    private static Map<String, Long> skippedCounts(Set<String> topics, Map<String, Long> before) {
        Map<String, Long> counts = new TreeMap<>();
        topics.forEach(topic -> counts.put(topic, SkippedInput.count(topic) - before.get(topic)));
        return counts;
    }

    private static List<com.fasterxml.jackson.databind.JsonNode> lines(Path file) {
        List<com.fasterxml.jackson.databind.JsonNode> lines = new ArrayList<>();
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    lines.add(new ObjectMapper().readTree(line));
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return lines;
    }

    private static Set<String> types(Path file) {
        Set<String> types = new TreeSet<>();
        lines(file).forEach(line -> types.add(line.get("type").asText()));
        return types;
    }

    private static Set<String> ids(Path file) {
        Set<String> ids = new TreeSet<>();
        lines(file).forEach(line -> ids.add(line.get("id").asText()));
        return ids;
    }

    private static void await(BooleanSupplier condition, java.util.function.Supplier<String> what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 3 minutes: " + what.get());
            }
            Thread.sleep(200);
        }
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(client, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static Tick tick(String host) {
        return Tick.newBuilder().setHost(host).setTsMicros(1_000_000).setEndOfInput(false).build();
    }

    private static ArpEvent arp() {
        byte[] mac = {2, 0, 0, 0, 0, 1};
        byte[] ip = {(byte) 203, 0, 113, 1};
        return ArpEvent.newBuilder().setHost("bad-sensor").setTsMicros(1_000_000).setOperation(1)
                .setSenderMac(ByteBuffer.wrap(mac)).setSenderIp(ByteBuffer.wrap(ip))
                .setTargetMac(ByteBuffer.wrap(new byte[6])).setTargetIp(ByteBuffer.wrap(ip)).build();
    }

    private static SensorStatus status(long queueDropped) {
        return SensorStatus.newBuilder().setSensorId("sensor-a").setHost("client").setVersion("test")
                .setTsMicros(System.currentTimeMillis() * 1000 + queueDropped).setPacketsCaptured(100 + queueDropped)
                .setQueueDropped(queueDropped).build();
    }

    private static Alert alert() {
        return Alert.newBuilder().setId("bad-alert").setType("UNANSWERED_SYN").setSeverity(Severity.critical)
                .setFirstSeenMicros(1).setLastSeenMicros(1).setCount(1).setSummary("a valid alert without key")
                .setHint("none").build();
    }

    /** An Avro single-object record of a schema wirewatch does not know. */
    private static byte[] foreignAvro() {
        Schema schema = SchemaBuilder.record("Invoice").namespace("com.example").fields()
                .requiredString("number").requiredLong("cents").endRecord();
        GenericRecord invoice = new GenericData.Record(schema);
        invoice.put("number", "2026-0001");
        invoice.put("cents", 12_345L);
        try {
            ByteBuffer encoded = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(invoice);
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return bytes;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A single-object header naming {@code schema}, then {@code body}: looks like the topic's record, is not. */
    private static byte[] withHeaderOf(Schema schema, byte[] body) {
        return ByteBuffer.allocate(10 + body.length).order(ByteOrder.LITTLE_ENDIAN).put((byte) 0xC3).put((byte) 0x01)
                .putLong(SchemaNormalization.parsingFingerprint64(schema)).put(body).array();
    }

    private static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
