package dev.wirewatch.processor.detect;

import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Severity;

/**
 * One fault, one alert (docs/ALERTS.md): a finding whose packets another alert explains still goes out — scripts and
 * {@code export} can find every unanswered connection — but as {@code info}, with {@code explained_by} naming the
 * alert that explains it and that alert's hint in place of its own, so no second warning sends the operator
 * somewhere else. Its id stays the one it would have had.
 */
public final class Explained {
    private Explained() {}

    /** {@code finding} as explained by {@code cause}; {@code how} says why, in a few words that follow its summary. */
    public static Alert by(Alert finding, Alert cause, String how) {
        return Alert.newBuilder(finding)
                .setSeverity(Severity.info)
                .setExplainedBy(cause.getId())
                .setSummary(finding.getSummary() + " Explained by " + cause.getType() + " " + cause.getId() + ": " + how + ".")
                .setHint(cause.getHint())
                .build();
    }
}
