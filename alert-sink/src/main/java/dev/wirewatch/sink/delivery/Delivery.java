package dev.wirewatch.sink.delivery;

import dev.wirewatch.sink.Notification;
import java.util.List;

/** A notification handed to one output, the records it stands for, and when the sink received the first of them. */
public record Delivery(Notification notification, List<AlertPosition> positions, long receivedNanos) {}
