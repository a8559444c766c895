package dev.wirewatch.sink.output;

import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Evidence;
import dev.wirewatch.schemas.Times;
import dev.wirewatch.sink.AlertSubject;

/** One alert as a few lines of text for a person at a terminal: what, where, why, what to do. */
public final class TextBlock {
    private TextBlock() {}

    public static String of(Alert alert) {
        return of(alert, 1);
    }

    /** With revision 2 and more, the first line says the alert is an update of one sent before. */
    public static String of(Alert alert, int revision) {
        StringBuilder text = new StringBuilder();
        text.append(alert.getSeverity().name().toUpperCase(java.util.Locale.ROOT)).append("  ").append(alert.getType());
        if (alert.getCause() != null) {
            text.append(" (").append(alert.getCause()).append(')');
        }
        String subject = AlertSubject.named(alert);
        if (subject != null) {
            text.append("  ").append(subject);
        }
        if (alert.getHost() != null) {
            text.append("  on ").append(alert.getHost());
        }
        text.append("  [").append(Times.iso(alert.getFirstSeenMicros())).append(']');
        if (revision > 1) {
            text.append("  updated (revision ").append(revision).append(')');
        }
        text.append('\n');
        text.append("  ").append(alert.getSummary()).append('\n');
        text.append("  hint: ").append(alert.getHint()).append('\n');
        if (alert.getExplainedBy() != null) {
            text.append("  explained by: ").append(alert.getExplainedBy()).append('\n');
        }
        for (Evidence item : alert.getEvidence()) {
            text.append("  seen: ").append(item.getHost());
            if (!item.getIface().isEmpty()) {
                text.append('/').append(item.getIface());
            }
            text.append(' ').append(Times.iso(item.getTsMicros())).append("  ").append(item.getLine()).append('\n');
        }
        text.append("  id ").append(alert.getId());
        if (alert.getCommunityId() != null) {
            text.append("  community_id ").append(alert.getCommunityId());
        }
        return text.append('\n').toString();
    }
}
