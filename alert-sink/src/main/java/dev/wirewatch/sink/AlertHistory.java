package dev.wirewatch.sink;

import dev.wirewatch.record.Alert;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What this sink's group finished before it was given a partition: every alert below the partition's committed
 * offset was delivered or given up on. Re-read once per assignment (ww.alerts is small), so that after a restart or a
 * rebalance a re-sent alert is still a duplicate and a refined one still an update of the right revision — the
 * committed offsets are the only state the sink keeps, in Kafka.
 */
final class AlertHistory {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private AlertHistory() {}

    /** Hands every decodable alert below each committed offset to {@code finished}, in partition order. */
    static void read(Map<String, Object> clientConfig, Map<TopicPartition, OffsetAndMetadata> committed,
                     BiConsumer<Alert, TopicPartition> finished) {
        Map<TopicPartition, Long> until = new HashMap<>();
        committed.forEach((partition, offset) -> {
            if (offset != null && offset.offset() > 0) {
                until.put(partition, offset.offset());
            }
        });
        if (until.isEmpty()) {
            return;
        }
        Map<String, Object> properties = new HashMap<>(clientConfig);
        properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(until.keySet());
            consumer.seekToBeginning(until.keySet());
            List<TopicPartition> pending = new ArrayList<>(until.keySet());
            while (!pending.isEmpty()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() < until.get(partition)) {
                        try {
                            finished.accept(AlertRecords.decode(record), partition);
                        } catch (RuntimeException notAnAlert) {
                            // counted and dead-lettered when it was first read
                        }
                    }
                }
                pending.removeIf(partition -> consumer.position(partition, TIMEOUT) >= until.get(partition));
                consumer.pause(consumer.assignment().stream().filter(partition -> !pending.contains(partition)).toList());
            }
        }
    }
}
