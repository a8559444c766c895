package dev.wirewatch.sink.delivery;

import dev.wirewatch.sink.Notification;
import java.util.List;

/**
 * A notification handed to one output, the records it stands for, when the sink received the first of them, and
 * what to do once this output has finished it (delivered or given up on).
 */
public record Delivery(Notification notification, List<AlertPosition> positions, long receivedNanos, Runnable finished) {
    public Delivery(Notification notification, List<AlertPosition> positions, long receivedNanos) {
        this(notification, positions, receivedNanos, () -> {});
    }
}
