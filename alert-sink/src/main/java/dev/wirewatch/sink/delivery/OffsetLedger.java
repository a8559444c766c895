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
    private final Map<TopicPartition, Integer> generations = new HashMap<>();

    /** The position of a record just read from a partition this sink owns now. */
    public synchronized AlertPosition position(TopicPartition partition, long offset) {
        return new AlertPosition(partition, offset, generations.getOrDefault(partition, 0));
    }

    /** A record was read; it is open until as many {@link #finish} calls as {@code holders} have been made. */
    public synchronized void open(AlertPosition position, int holders) {
        if (!current(position)) {
            return;
        }
        next.merge(position.partition(), position.offset() + 1, Math::max);
        if (holders > 0) {
            open.computeIfAbsent(position.partition(), partition -> new TreeMap<>()).merge(position.offset(), holders, Integer::sum);
        }
    }

    /** More holders of a record still open (the outputs a grouped alert is handed to). */
    public synchronized void hold(AlertPosition position, int holders) {
        TreeMap<Long, Integer> offsets = open.get(position.partition());
        if (offsets != null && holders > 0 && current(position)) {
            offsets.computeIfPresent(position.offset(), (offset, count) -> count + holders);
        }
    }

    public synchronized void finish(AlertPosition position) {
        TreeMap<Long, Integer> offsets = open.get(position.partition());
        if (offsets != null && current(position)) {
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

    /**
     * Partitions taken away in a rebalance: what is open there is read again by their next owner (this sink too, if
     * they come back, under a new generation), so late finishes of the old reads no longer count.
     */
    public synchronized void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(partition -> {
            open.remove(partition);
            next.remove(partition);
            committed.remove(partition);
            generations.merge(partition, 1, Integer::sum);
        });
    }

    private boolean current(AlertPosition position) {
        return position.generation() == generations.getOrDefault(position.partition(), 0);
    }
}
