package dev.wirewatch.sink.route;

import dev.wirewatch.record.Alert;
import dev.wirewatch.sink.AlertSubject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Knows which conditions are open. The processor reports a lasting condition again in every window it persists
 * (refusals go on: a new CONNECTION_REFUSED per window), so a subject with no new alert for {@code quietNanos} has
 * cleared; its last alert is then resolved. Zero turns resolution off.
 */
public final class ResolveTracker {
    private final long quietNanos;
    private final Map<String, Open> open = new HashMap<>();

    private record Open(Alert last, long seenNanos) {}

    public ResolveTracker(long quietNanos) {
        this.quietNanos = quietNanos;
    }

    public void seen(Alert alert, long nowNanos) {
        if (quietNanos > 0) {
            open.put(AlertSubject.of(alert), new Open(alert, nowNanos));
        }
    }

    /** The last alert of every condition quiet for long enough, removed. */
    public List<Alert> cleared(long nowNanos) {
        List<Alert> cleared = new ArrayList<>();
        for (Iterator<Open> conditions = open.values().iterator(); conditions.hasNext(); ) {
            Open condition = conditions.next();
            if (nowNanos - condition.seenNanos() >= quietNanos) {
                cleared.add(condition.last());
                conditions.remove();
            }
        }
        return cleared;
    }
}
