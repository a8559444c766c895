package dev.wirewatch.processor.flow;

import dev.wirewatch.record.Alert;
import java.util.Optional;

/** A detector's answer about one flow: not decidable yet, or decided (with an alert when there is a finding). */
public sealed interface Verdict {
    record Pending() implements Verdict {}

    record Settled(Optional<Alert> alert) implements Verdict {}

    Verdict PENDING = new Pending();
    Verdict NOTHING_TO_REPORT = new Settled(Optional.empty());
}
