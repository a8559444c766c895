package dev.wirewatch.sensor.emit;

import dev.wirewatch.schemas.SequenceHeaders;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * Numbers what one sensor run sends, per topic and partition ({@link SequenceHeaders}), so the processor can drop
 * what the producer delivered twice. The publisher picks each keyed record's partition itself, exactly as Kafka's
 * default partitioner does (murmur2 of the key), so a record's number belongs to the partition it lands in.
 */
final class PartitionSequences {
    private final String sensor;
    private final String run = UUID.randomUUID().toString();
    private final Map<TopicPartition, Long> lastSent = new HashMap<>();

    PartitionSequences(String sensor) {
        this.sensor = sensor;
    }

    /** Kafka's default placement of a keyed record. */
    static int partitionOf(byte[] key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }

    /** The headers of the next record to {@code partition}; taken only once {@link #sent} says the producer has it. */
    SequenceHeaders next(TopicPartition partition) {
        return new SequenceHeaders(sensor, run, lastSent.getOrDefault(partition, 0L) + 1);
    }

    /** The producer took the record numbered {@code headers}: the next one gets the number after it. */
    void sent(TopicPartition partition, SequenceHeaders headers) {
        lastSent.put(partition, headers.number());
    }
}
