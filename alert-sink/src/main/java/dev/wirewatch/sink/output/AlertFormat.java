package dev.wirewatch.sink.output;

import dev.wirewatch.record.Alert;
import java.util.Locale;

/** How an output renders one alert: a JSON line (the public interface of ALERTS.md) or text for people. */
public enum AlertFormat {
    JSONL, TEXT;

    public String render(Alert alert) {
        return render(alert, 1);
    }

    /** As sent by the sink: revision 2 and more mark an update of an alert sent before. */
    public String render(Alert alert, int revision) {
        return this == JSONL ? JsonLine.of(alert, revision) : TextBlock.of(alert, revision);
    }

    public static AlertFormat parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown format '" + name + "': use text or jsonl");
        }
    }
}
