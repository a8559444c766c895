package dev.wirewatch.sink.route;

import dev.wirewatch.record.Alert;
import dev.wirewatch.schemas.RecordCodec;
import dev.wirewatch.schemas.Topics;
import dev.wirewatch.sink.AlertSubject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sink group's open conditions, kept in the compacted topic ww.sink.open so that the sink that next owns a
 * partition of the alert topic (after a restart, a crash or a rebalance) resolves what its predecessor opened. Key:
 * the group and the alert subject; value: the condition's last alert; headers: the group, the wall-clock time it was
 * seen and the alert-topic partition it came from. A resolved condition is a tombstone.
 */
public final class OpenConditions implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OpenConditions.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String GROUP = "group";
    private static final String SEEN_MILLIS = "seen-ms";
    private static final String PARTITION = "partition";

    private final String group;
    private final KafkaProducer<String, byte[]> producer;

    public OpenConditions(Map<String, Object> clientConfig, String group) {
        this.group = group;
        Map<String, Object> properties = new HashMap<>(clientConfig);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.producer = new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
    }

    /** The condition of {@code alert} is open, seen at {@code seenMillis} (sent; durable after {@link #flush}). */
    public void opened(Alert alert, long seenMillis, TopicPartition from) {
        RecordHeaders headers = groupHeader();
        headers.add(SEEN_MILLIS, Long.toString(seenMillis).getBytes(StandardCharsets.UTF_8));
        headers.add(PARTITION, Integer.toString(from.partition()).getBytes(StandardCharsets.UTF_8));
        producer.send(new ProducerRecord<>(Topics.SINK_OPEN, null, key(AlertSubject.of(alert)),
                RecordCodec.shared().encode(alert), headers), this::logFailure);
    }

    /** The condition of {@code subject} is resolved and delivered: nobody resolves it again. */
    public void resolved(String subject) {
        producer.send(new ProducerRecord<>(Topics.SINK_OPEN, null, key(subject), null, groupHeader()), this::logFailure);
    }

    /** Every record names its group, tombstones too: a sink reads back only its own group's. */
    private RecordHeaders groupHeader() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(GROUP, group.getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    /** Until everything sent is acknowledged (or failed: then it is logged and a later write of the key repeats it). */
    public void flush() {
        producer.flush();
    }

    /** The conditions this group left open on {@code partitions} of {@code alertTopic}, read to the topic's end. */
    public static List<ResolveTracker.Open> readBack(Map<String, Object> clientConfig, String group, String alertTopic,
                                                      Collection<TopicPartition> partitions) {
        Map<String, Object> properties = new HashMap<>(clientConfig);
        properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Set<Integer> owned = new HashSet<>();
        partitions.stream().filter(partition -> partition.topic().equals(alertTopic))
                .forEach(partition -> owned.add(partition.partition()));
        Map<String, ResolveTracker.Open> latest = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> all = consumer.partitionsFor(Topics.SINK_OPEN, TIMEOUT).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            Map<TopicPartition, Long> end = consumer.endOffsets(all, TIMEOUT);
            consumer.assign(all);
            consumer.seekToBeginning(all);
            List<TopicPartition> pending = new ArrayList<>(all);
            while (!pending.isEmpty()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (group.equals(header(record, GROUP))) {
                        read(record, alertTopic).ifPresentOrElse(open -> latest.put(record.key(), open),
                                () -> latest.remove(record.key()));
                    }
                }
                pending.removeIf(partition -> consumer.position(partition, TIMEOUT) >= end.get(partition));
            }
        }
        return latest.values().stream().filter(open -> owned.contains(open.from().partition())).toList();
    }

    /** The condition a record holds; empty for a tombstone or a record that is not one (logged, skipped). */
    private static Optional<ResolveTracker.Open> read(ConsumerRecord<String, byte[]> record, String alertTopic) {
        if (record.value() == null) {
            return Optional.empty();
        }
        try {
            Alert alert = RecordCodec.shared().decode(record.value(), Alert.class);
            long seen = Long.parseLong(header(record, SEEN_MILLIS));
            int partition = Integer.parseInt(header(record, PARTITION));
            return Optional.of(new ResolveTracker.Open(alert, seen, new TopicPartition(alertTopic, partition)));
        } catch (RuntimeException e) {
            LOG.warn("sink: {} offset {} is not an open condition ({}); skipped", Topics.SINK_OPEN, record.offset(), e.toString());
            return Optional.empty();
        }
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The group's own key for a subject: groups never overwrite each other's conditions. */
    private String key(String subject) {
        return group + "\n" + subject;
    }

    private void logFailure(RecordMetadata metadata, Exception failure) {
        if (failure != null) {
            LOG.warn("sink: cannot write to {}: {}", Topics.SINK_OPEN, failure.getMessage());
        }
    }

    @Override
    public void close() {
        producer.close(TIMEOUT);
    }
}
