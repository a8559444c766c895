package dev.wirewatch.app.cli;

import dev.wirewatch.record.Severity;
import java.util.Locale;

final class Severities {
    private Severities() {}

    static Severity parse(String text) {
        try {
            return Severity.valueOf(text.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a severity: use info, warning or critical");
        }
    }
}
