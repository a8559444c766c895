package dev.wirewatch.sink.route;

import dev.wirewatch.record.Alert;
import dev.wirewatch.sink.AlertSubject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Knows which conditions are open. The processor reports a lasting condition again in every window it persists
 * (refusals go on: a new CONNECTION_REFUSED per window), so a subject with no new alert for {@code quietMillis} has
 * cleared; its last alert is then resolved. Zero turns resolution off. Times are wall-clock milliseconds, so a
 * condition a previous sink opened (read back from ww.sink.open) is judged by when it was really seen.
 */
public final class ResolveTracker {
    private final long quietMillis;
    private final Map<String, Open> open = new HashMap<>();

    /** A condition: its last alert, when it was seen, and the alert-topic partition it came from (its owner). */
    public record Open(Alert last, long seenMillis, TopicPartition from) {}

    public ResolveTracker(long quietMillis) {
        this.quietMillis = quietMillis;
    }

    public boolean enabled() {
        return quietMillis > 0;
    }

    public void seen(Alert alert, long nowMillis, TopicPartition from) {
        if (enabled()) {
            open.put(AlertSubject.of(alert), new Open(alert, nowMillis, from));
        }
    }

    /** A condition a previous sink left open; a newer alert of the same subject read here since wins. */
    public void adopt(Open condition) {
        if (enabled()) {
            open.merge(AlertSubject.of(condition.last()), condition,
                    (known, adopted) -> known.seenMillis() >= adopted.seenMillis() ? known : adopted);
        }
    }

    public boolean isOpen(String subject) {
        return open.containsKey(subject);
    }

    /** The last alert of every condition quiet for long enough, removed. */
    public List<Alert> cleared(long nowMillis) {
        List<Alert> cleared = new ArrayList<>();
        for (Iterator<Open> conditions = open.values().iterator(); conditions.hasNext(); ) {
            Open condition = conditions.next();
            if (nowMillis - condition.seenMillis() >= quietMillis) {
                cleared.add(condition.last());
                conditions.remove();
            }
        }
        return cleared;
    }

    /** Partitions taken away in a rebalance: their next owner reads their conditions back from ww.sink.open. */
    public void forget(Collection<TopicPartition> partitions) {
        open.values().removeIf(condition -> partitions.contains(condition.from()));
    }
}
