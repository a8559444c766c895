package dev.wirewatch.app.kafka;

import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reading topics by partition and offset, outside any consumer group: what analyze, replay and export do. */
public final class TopicReads {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private TopicReads() {}

    /** A consumer that sees only committed transactions (the processor writes exactly-once) and commits nothing. */
    public static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> clientConfig) {
        Map<String, Object> properties = new HashMap<>(clientConfig);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        properties.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        // A reader never creates what it reads (on a cluster that auto-creates, a deleted run topic would come back).
        properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        return new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The partitions of {@code topic} in order; a clear error when the cluster has no such topic. */
    public static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        var infos = consumer.partitionsFor(topic, TIMEOUT);
        if (infos == null || infos.isEmpty()) {
            throw new UnknownTopicOrPartitionException("topic " + topic + " does not exist on this cluster");
        }
        return infos.stream().map(info -> new TopicPartition(topic, info.partition()))
                .sorted(Comparator.comparingInt(TopicPartition::partition)).toList();
    }

    public static Map<TopicPartition, Long> endOffsets(KafkaConsumer<?, ?> consumer, String topic) {
        return consumer.endOffsets(partitions(consumer, topic), TIMEOUT);
    }

    /**
     * The first offset of each partition whose record timestamp (capture time, for wirewatch's inputs) is at or after
     * {@code epochMillis}; the end offset where there is none.
     */
    public static Map<TopicPartition, Long> offsetsAt(KafkaConsumer<?, ?> consumer, String topic, long epochMillis) {
        List<TopicPartition> partitions = partitions(consumer, topic);
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(partition -> query.put(partition, epochMillis));
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, TIMEOUT);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        consumer.offsetsForTimes(query, TIMEOUT).forEach((partition, found) ->
                offsets.put(partition, found == null ? ends.get(partition) : found.offset()));
        return offsets;
    }

    /**
     * Reads every record from {@code from} (partition to first offset; partitions not named are not read) up to the
     * end offsets as they are now. Progress goes by position, not by record offsets, so gaps (compaction, aborted
     * transactions) cannot stall it.
     */
    public static void readToEnd(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> from,
                                 java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> action) {
        Map<TopicPartition, Long> until = consumer.endOffsets(from.keySet(), TIMEOUT);
        consumer.assign(from.keySet());
        from.forEach(consumer::seek);
        while (until.entrySet().stream().anyMatch(end -> consumer.position(end.getKey(), TIMEOUT) < end.getValue())) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (record.offset() < until.get(new TopicPartition(record.topic(), record.partition()))) {
                    action.accept(record);
                }
            }
        }
    }
}
