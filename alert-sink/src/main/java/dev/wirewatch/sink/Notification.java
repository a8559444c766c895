package dev.wirewatch.sink;

import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Severity;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What an output is asked to send: one alert, a burst of alerts of one type on one subject grouped into one
 * message, or the news that a condition has cleared (its last alert, resolved at {@code at}). {@code revisions} gives
 * the revision of an alert that is an update of one sent before (2, 3, ...); an alert not in it is new (revision 1).
 */
public record Notification(Status status, List<Alert> alerts, Instant at, Map<String, Integer> revisions) {
    public enum Status { FIRING, RESOLVED }

    public Notification {
        if (alerts.isEmpty()) {
            throw new IllegalArgumentException("a notification is about at least one alert");
        }
        alerts = List.copyOf(alerts);
        revisions = Map.copyOf(revisions);
    }

    public static Notification firing(List<Alert> alerts, Instant at) {
        return firing(alerts, Map.of(), at);
    }

    public static Notification firing(List<Alert> alerts, Map<String, Integer> revisions, Instant at) {
        return new Notification(Status.FIRING, alerts, at, revisions);
    }

    public static Notification resolved(Alert last, Instant at) {
        return new Notification(Status.RESOLVED, List.of(last), at, Map.of());
    }

    /** 1 for a new finding, 2 and more for an update of one already sent (docs/ALERTS.md, "Updates"). */
    public int revision(Alert alert) {
        return revisions.getOrDefault(alert.getId(), 1);
    }

    /** The alert refines one sent before under the same id. */
    public boolean isUpdate(Alert alert) {
        return revision(alert) > 1;
    }

    public boolean resolved() {
        return status == Status.RESOLVED;
    }

    /** The alert that stands for the group: the first of the burst, or the last one of a resolved condition. */
    public Alert lead() {
        return alerts.get(0);
    }

    public Severity severity() {
        return alerts.stream().map(Alert::getSeverity).max(Comparator.naturalOrder()).orElseThrow();
    }

    /** The same notification with only {@code kept} of its alerts (what passes an output's severity filter). */
    public Notification with(List<Alert> kept) {
        return new Notification(status, kept, at, revisions);
    }
}
