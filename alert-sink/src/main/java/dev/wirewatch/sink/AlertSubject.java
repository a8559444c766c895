package dev.wirewatch.sink;

import dev.wirewatch.record.Alert;
import java.util.StringJoiner;

/**
 * What an alert is about, without the client: its type and severity and the service, host or address it names.
 * Alerts with one subject form one group (a burst on one service is one message), one condition that later clears,
 * and one Alertmanager alert (the same labels, severity included, so that resolving it closes exactly what was sent).
 */
public final class AlertSubject {
    private AlertSubject() {}

    public static String of(Alert alert) {
        StringJoiner key = new StringJoiner("|");
        key.add(alert.getType()).add(alert.getSeverity().name());
        for (String part : new String[] {alert.getServer(), alert.getHost(), alert.getIp(), alert.getDstIp(), alert.getClientIp()}) {
            key.add(part == null ? "" : part);
        }
        return key.toString();
    }

    /**
     * The one place that chooses what an alert is about, for every output that names it: the service, else the
     * address, else the destination; null when the alert names none of them (a host's or a sensor's alert).
     */
    public static String named(Alert alert) {
        return alert.getServer() != null ? alert.getServer() : address(alert);
    }

    /** What a person looks for first: {@link #named}, else the host. */
    public static String headline(Alert alert) {
        String named = named(alert);
        return named != null ? named : alert.getHost();
    }

    /** The single address an alert names: the address, else the destination (null: neither). */
    public static String address(Alert alert) {
        return alert.getIp() != null ? alert.getIp() : alert.getDstIp();
    }
}
