package dev.wirewatch.sink.delivery;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which alerts read from Kafka are finished — every output accepted them or gave up on them — so the sink commits
 * only offsets below the first unfinished alert of each partition. Outputs finish out of order (one may be retrying
 * while the others are done); a restart then reads from the first unfinished alert, and nothing is lost.
 */
public final class OffsetLedger {
    private final Map<TopicPartition, TreeMap<Long, Integer>> open = new HashMap<>();
    private final Map<TopicPartition, Long> next = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();

    /** A record was read; it is open until as many {@link #finish} calls as {@code holders} have been made. */
    public synchronized void open(AlertPosition position, int holders) {
        next.merge(position.partition(), position.offset() + 1, Math::max);
        if (holders > 0) {
            open.computeIfAbsent(position.partition(), partition -> new TreeMap<>()).merge(position.offset(), holders, Integer::sum);
        }
    }

    /** More holders of a record still open (the outputs a grouped alert is handed to). */
    public synchronized void hold(AlertPosition position, int holders) {
        TreeMap<Long, Integer> offsets = open.get(position.partition());
        if (offsets != null && holders > 0) {
            offsets.computeIfPresent(position.offset(), (offset, count) -> count + holders);
        }
    }

    public synchronized void finish(AlertPosition position) {
        TreeMap<Long, Integer> offsets = open.get(position.partition());
        if (offsets != null) {
            offsets.computeIfPresent(position.offset(), (offset, count) -> count == 1 ? null : count - 1);
        }
    }

    /** Offsets to commit that go beyond the last commit. */
    public synchronized Map<TopicPartition, OffsetAndMetadata> advanced() {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        next.forEach((partition, end) -> {
            TreeMap<Long, Integer> offsets = open.get(partition);
            long upTo = offsets == null || offsets.isEmpty() ? end : offsets.firstKey();
            if (upTo > committed.getOrDefault(partition, -1L)) {
                commit.put(partition, new OffsetAndMetadata(upTo));
            }
        });
        return commit;
    }

    /** What Kafka has accepted as committed. */
    public synchronized void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((partition, offset) -> committed.merge(partition, offset.offset(), Math::max));
    }

    /** Partitions another sink now owns: what is still open there will be read again by it. */
    public synchronized void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(partition -> {
            open.remove(partition);
            next.remove(partition);
            committed.remove(partition);
        });
    }

    public synchronized int openCount() {
        return open.values().stream().mapToInt(TreeMap::size).sum();
    }
}
