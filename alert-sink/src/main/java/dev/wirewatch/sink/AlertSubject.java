package dev.wirewatch.sink;

import dev.wirewatch.record.Alert;
import java.util.StringJoiner;

/**
 * What an alert is about, without the client: the type and the service, host or address it names. Alerts with one
 * subject form one group (a burst on one service is one message), one condition that later clears, and one
 * Alertmanager alert (same labels).
 */
public final class AlertSubject {
    private AlertSubject() {}

    public static String of(Alert alert) {
        StringJoiner key = new StringJoiner("|");
        key.add(alert.getType());
        for (String part : new String[] {alert.getServer(), alert.getHost(), alert.getIp(), alert.getDstIp(), alert.getClientIp()}) {
            key.add(part == null ? "" : part);
        }
        return key.toString();
    }
}
