package dev.wirewatch.sink.route;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The ids of the most recent alerts, to drop the same finding arriving twice (an alert id is stable across replays
 * and restarts of the processor). Bounded: the oldest ids are forgotten first.
 */
public final class SeenIds {
    private final Map<String, TopicPartition> ids;

    public SeenIds(int capacity) {
        this.ids = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, TopicPartition> eldest) {
                return size() > capacity;
            }
        };
    }

    /** True the first time an id is offered. */
    public boolean firstTime(String id, TopicPartition from) {
        return ids.putIfAbsent(id, from) == null;
    }

    /** Partitions taken away in a rebalance are read again from their last commit: what comes back is not a duplicate. */
    public void forget(Collection<TopicPartition> partitions) {
        ids.values().removeIf(partitions::contains);
    }
}
