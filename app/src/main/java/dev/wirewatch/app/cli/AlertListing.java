package dev.wirewatch.app.cli;

import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Severity;
import dev.wirewatch.sink.output.AlertFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The alerts of a finite run (analyze, replay), printed in one format to stdout or written to a file. */
final class AlertListing {
    private AlertListing() {}

    static void write(List<Alert> alerts, AlertFormat format, Path out) {
        StringBuilder text = new StringBuilder();
        for (Alert alert : alerts) {
            text.append(format.render(alert));
            if (format == AlertFormat.JSONL) {
                text.append('\n');
            }
        }
        if (out == null) {
            PrintStream stdout = System.out;
            stdout.print(text);
            stdout.flush();
            return;
        }
        try {
            Files.writeString(out, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageException("--out " + out + ": cannot write: " + e.getMessage());
        }
    }

    /** The exit code of a finite run: 3 when {@code failOn} is set and an alert reached it, else 0. */
    static int exitCode(List<Alert> alerts, Severity failOn) {
        return failOn != null && alerts.stream().anyMatch(alert -> alert.getSeverity().ordinal() >= failOn.ordinal()) ? 3 : 0;
    }
}
