package dev.wirewatch.processor.detect;

import dev.wirewatch.record.Alert;
import java.util.Optional;

/** The answer to "was this SYN answered?": not decidable yet, or decided (with an alert when it was not). */
public sealed interface SynVerdict {
    record Pending() implements SynVerdict {}

    record Settled(Optional<Alert> alert) implements SynVerdict {}

    SynVerdict PENDING = new Pending();
    SynVerdict NOTHING_TO_REPORT = new Settled(Optional.empty());
}
