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

    /** The address a person looks for first: the service, else the address, else the destination, else the host. */
    public static String headline(Alert alert) {
        return alert.getServer() != null ? alert.getServer() : alert.getIp() != null ? alert.getIp()
                : alert.getDstIp() != null ? alert.getDstIp() : alert.getHost();
    }
}
