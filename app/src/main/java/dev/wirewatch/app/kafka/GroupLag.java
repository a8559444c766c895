package dev.wirewatch.app.kafka;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * How far a consumer group (the processor's application id) is behind on its input topics: for each topic, the
 * records between the group's committed offsets and the end (the last stable offset: what a read_committed
 * consumer could read). A partition the group never committed counts from its start.
 */
public final class GroupLag {
    private static final long TIMEOUT_SECONDS = 10;

    private GroupLag() {}

    /** One topic's lag; {@code committed} is false when the group has committed nothing on it yet. */
    public record TopicLag(String topic, long records, boolean committed) {}

    /** The lag on each of {@code topics} that exists on the cluster, in the order given. */
    public static Map<String, TopicLag> of(Admin admin, String groupId, Collection<String> topics)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<TopicPartition, OffsetAndMetadata> committed;
        try {
            committed = admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                throw e;
            }
            committed = Map.of(); // a group that never committed anything
        }
        Collection<String> existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Map<String, TopicDescription> described = admin.describeTopics(topics.stream().filter(existing::contains).toList())
                .allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> query = new HashMap<>();
        described.values().forEach(topic -> topic.partitions().forEach(partition ->
                query.put(new TopicPartition(topic.name(), partition.partition()), OffsetSpec.latest())));
        Map<TopicPartition, Long> ends = new HashMap<>();
        Map<TopicPartition, Long> starts = new HashMap<>();
        ListOffsetsOptions readCommitted = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
        admin.listOffsets(query, readCommitted).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .forEach((partition, info) -> ends.put(partition, info.offset()));
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        query.keySet().forEach(partition -> earliest.put(partition, OffsetSpec.earliest()));
        admin.listOffsets(earliest, readCommitted).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .forEach((partition, info) -> starts.put(partition, info.offset()));
        Map<String, TopicLag> lags = new LinkedHashMap<>();
        for (String topic : topics) {
            if (!described.containsKey(topic)) {
                continue;
            }
            long records = 0;
            boolean any = false;
            for (TopicPartition partition : ends.keySet()) {
                if (!partition.topic().equals(topic)) {
                    continue;
                }
                OffsetAndMetadata offset = committed.get(partition);
                any |= offset != null;
                long from = offset == null ? starts.get(partition) : offset.offset();
                records += Math.max(0, ends.get(partition) - from);
            }
            lags.put(topic, new TopicLag(topic, records, any));
        }
        return lags;
    }
}
