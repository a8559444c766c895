package dev.wirewatch.sink.output;

import dev.wirewatch.record.Alert;
import dev.wirewatch.sink.Notification;
import java.io.PrintStream;

/** Findings on the terminal, as text or JSON lines; one entry per alert of a group. */
final class StdoutOutput implements Output {
    private final AlertFormat format;
    private final PrintStream out = System.out;

    StdoutOutput(AlertFormat format) {
        this.format = format;
    }

    @Override
    public String name() {
        return "stdout";
    }

    @Override
    public void send(Notification notification) {
        StringBuilder text = new StringBuilder();
        for (Alert alert : notification.alerts()) {
            text.append(format.render(alert, notification.revision(alert)));
            if (format == AlertFormat.JSONL) {
                text.append('\n');
            }
        }
        out.print(text);
        out.flush();
    }

    @Override
    public boolean wantsResolved() {
        return false;
    }
}
