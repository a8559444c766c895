package dev.wirewatch.app.export;

import dev.wirewatch.app.kafka.TopicReads;
import dev.wirewatch.record.Alert;
import dev.wirewatch.schemas.AvroSerde;
import dev.wirewatch.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Finds an alert on ww.alerts by its id. The id is the record key, so the alert sits in the partition the default
 * partitioner gives that key; the other partitions are read only when it is not there. An alert updated later (same
 * id) is the last record with that key.
 */
public final class AlertLookup {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, Object> clientConfig;
    private final String topicPrefix;

    public AlertLookup(Map<String, Object> clientConfig) {
        this(clientConfig, "");
    }

    /** @param topicPrefix before the topic name: an analysis's own alerts (analyze --topic-prefix) */
    public AlertLookup(Map<String, Object> clientConfig, String topicPrefix) {
        this.clientConfig = clientConfig;
        this.topicPrefix = topicPrefix;
    }

    public Optional<Alert> find(String id) {
        byte[] key = id.getBytes(StandardCharsets.UTF_8);
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReads.consumer(clientConfig)) {
            List<TopicPartition> all = TopicReads.partitions(consumer, topicPrefix + Topics.ALERTS);
            TopicPartition home = all.get(EvidenceScan.partitionOf(key, all.size()));
            Optional<Alert> found = last(consumer, List.of(home), id);
            if (found.isPresent()) {
                return found;
            }
            List<TopicPartition> others = new ArrayList<>(all);
            others.remove(home);
            return last(consumer, others, id);
        }
    }

    private static Optional<Alert> last(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions, String id) {
        var decoder = AvroSerde.of(Alert.class).deserializer();
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
        List<TopicPartition> pending = new ArrayList<>(partitions.stream().filter(p -> end.get(p) > 0).toList());
        consumer.assign(pending);
        consumer.seekToBeginning(pending);
        Alert found = null;
        while (!pending.isEmpty()) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (record.key() != null && record.value() != null
                        && id.equals(new String(record.key(), StandardCharsets.UTF_8))) {
                    try {
                        found = decoder.deserialize(record.topic(), record.value());
                    } catch (RuntimeException notAnAlert) {
                        // a record under the id that is no alert (the sink dead-letters it): the last real one stands
                    }
                }
            }
            pending.removeIf(partition -> consumer.position(partition, TIMEOUT) >= end.get(partition));
        }
        consumer.unsubscribe();
        return Optional.ofNullable(found);
    }
}
