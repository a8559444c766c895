package dev.wirewatch.sink.route;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The content last taken for each recent alert id (its {@link AlertDigest}) and its revision. One id is one finding:
 * the same content again is a duplicate (a producer's re-send, a replay), new content is the next revision of the
 * finding (its count, cause or accepting ports refined), delivered as an update. Bounded: the oldest ids are
 * forgotten first.
 */
public final class DeliveredAlerts {
    /** What {@link #revisionOf} answers for content already taken. */
    public static final int DUPLICATE = 0;

    private record Known(long digest, int revision, TopicPartition from) {}

    private final Map<String, Known> ids;

    public DeliveredAlerts(int capacity) {
        this.ids = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Known> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * {@link #DUPLICATE} for the same content as last taken; else the revision the processor gave it ({@code
     * numbered}, 1 from processors that did not number them), and for new content of a known id at least the last
     * revision + 1: receivers see one numbering, growing with each update.
     */
    public int revisionOf(String id, long digest, int numbered) {
        Known known = ids.get(id);
        if (known == null) {
            return Math.max(1, numbered);
        }
        return known.digest() == digest ? DUPLICATE : Math.max(known.revision() + 1, numbered);
    }

    /** The content now taken for {@code id}, as {@code revision}. */
    public void take(String id, long digest, int revision, TopicPartition from) {
        ids.put(id, new Known(digest, revision, from));
    }

    /**
     * Partitions taken away in a rebalance are read again from their last commit by their next owner, which first
     * re-learns what came before it (AlertHistory); this sink forgets them.
     */
    public void forget(Collection<TopicPartition> partitions) {
        ids.values().removeIf(known -> partitions.contains(known.from()));
    }
}
