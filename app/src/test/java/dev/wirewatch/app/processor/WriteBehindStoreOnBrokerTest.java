package dev.wirewatch.app.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.processor.state.WriteBehindStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write-behind store under exactly-once on a real broker: once Kafka Streams has committed an input offset, the
 * committed changelog holds the state that input produced. Values live as objects between commits, so this breaks
 * if dirty values reach the changelog only after the transaction that consumed their input.
 */
class WriteBehindStoreOnBrokerTest {
    private static final String INPUT = "write-behind-input";
    private static final String APPLICATION = "write-behind-test";
    private static final String STORE = "counts";

    @TempDir
    Path stateDir;

    /** A count per key, kept as a mutable object (as the flow processor keeps flows). */
    private static final class Counting implements Processor<String, String, Void, Void> {
        private KeyValueStore<Bytes, long[]> counts;

        @Override
        public void init(org.apache.kafka.streams.processor.api.ProcessorContext<Void, Void> context) {
            counts = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, String> record) {
            Bytes key = Bytes.wrap(record.key().getBytes(StandardCharsets.UTF_8));
            long[] count = counts.get(key);
            if (count == null) {
                count = new long[1];
            }
            count[0]++;
            counts.put(key, count);
        }
    }

    @Test
    void committedInputHasItsStateInTheCommittedChangelog() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 1))) {
            Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            try (Admin admin = Admin.create(client)) {
                admin.createTopics(List.of(new NewTopic(INPUT, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            Map<String, Long> sent = new HashMap<>();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(client, new StringSerializer(),
                    new StringSerializer())) {
                for (int i = 0; i < 3_000; i++) {
                    String key = "flow-" + (i * 7 % 13);
                    sent.merge(key, 1L, Long::sum);
                    producer.send(new ProducerRecord<>(INPUT, key, "packet " + i));
                }
            }

            Topology topology = new Topology();
            topology.addSource("in", Serdes.String().deserializer(), Serdes.String().deserializer(), INPUT)
                    .addProcessor("count", Counting::new, "in")
                    .addStateStore(WriteBehindStore.<long[]>builder(Stores.keyValueStoreBuilder(
                            Stores.persistentKeyValueStore(STORE), Serdes.Bytes(), Serdes.ByteArray()),
                            count -> ByteBuffer.allocate(Long.BYTES).putLong(count[0]).array(),
                            bytes -> new long[] {ByteBuffer.wrap(bytes).getLong()}), "count");
            Properties properties = new Properties();
            properties.putAll(client);
            properties.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION);
            properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            properties.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
            properties.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
            // Kept running while the changelog is read: a clean close would commit once more and hide a late write.
            KafkaStreams streams = new KafkaStreams(topology, properties);
            try {
                streams.start();
                awaitCommitted(client, 3_000);
                assertEquals(sent, committedChangelog(client));
            } finally {
                streams.close(Duration.ofSeconds(30));
            }
        }
    }

    private static void awaitCommitted(Map<String, Object> client, long offset) throws Exception {
        TopicPartition input = new TopicPartition(INPUT, 0);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        try (Admin admin = Admin.create(client)) {
            while (System.nanoTime() < deadline) {
                OffsetAndMetadata committed = admin.listConsumerGroupOffsets(APPLICATION)
                        .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).get(input);
                if (committed != null && committed.offset() >= offset) {
                    return;
                }
                Thread.sleep(200);
            }
        }
        throw new AssertionError("the application did not commit its input within 2 minutes");
    }

    /** The latest committed value per key on the store's changelog. */
    private static Map<String, Long> committedChangelog(Map<String, Object> client) {
        Map<String, Object> properties = new HashMap<>(client);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        TopicPartition changelog = new TopicPartition(APPLICATION + "-" + STORE + "-changelog", 0);
        Map<String, Long> latest = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(changelog));
            consumer.seekToBeginning(List.of(changelog));
            long end = consumer.endOffsets(List.of(changelog)).get(changelog);
            while (consumer.position(changelog) < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> latest.put(
                        new String(record.key(), StandardCharsets.UTF_8), ByteBuffer.wrap(record.value()).getLong()));
            }
        }
        return latest;
    }
}
