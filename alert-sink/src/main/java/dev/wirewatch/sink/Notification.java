package dev.wirewatch.sink;

import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Severity;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * What an output is asked to send: one alert, a burst of alerts of one type on one subject grouped into one
 * message, or the news that a condition has cleared (its last alert, resolved at {@code at}).
 */
public record Notification(Status status, List<Alert> alerts, Instant at) {
    public enum Status { FIRING, RESOLVED }

    public Notification {
        if (alerts.isEmpty()) {
            throw new IllegalArgumentException("a notification is about at least one alert");
        }
        alerts = List.copyOf(alerts);
    }

    public static Notification firing(List<Alert> alerts, Instant at) {
        return new Notification(Status.FIRING, alerts, at);
    }

    public static Notification resolved(Alert last, Instant at) {
        return new Notification(Status.RESOLVED, List.of(last), at);
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
        return new Notification(status, kept, at);
    }
}
