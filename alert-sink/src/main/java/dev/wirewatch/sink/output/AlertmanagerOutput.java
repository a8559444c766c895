package dev.wirewatch.sink.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wirewatch.record.Alert;
import dev.wirewatch.schemas.Times;
import dev.wirewatch.sink.Notification;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Alertmanager's API v2 ({@code POST /api/v2/alerts}), one Alertmanager alert per wirewatch alert. Labels identify the
 * condition — alertname (the type), severity, host, server, ip, dst_ip, client_ip — so the alerts a lasting
 * condition raises window after window are one alert there, and Alertmanager does its own grouping and routing.
 * A resolved notification ends an alert now. A firing one is sent with endsAt twice {@code resolveAfter} ahead: the
 * sink resolves it before that, and if the sink is gone, Alertmanager still closes it (a newer alert of the same
 * condition extends it). Without resolution ({@code resolveAfter} zero), endsAt is left to Alertmanager's
 * resolve_timeout.
 */
final class AlertmanagerOutput extends HttpOutput {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API_PATH = "/api/v2/alerts";

    private final String generatorUrl;
    private final Duration resolveAfter;

    AlertmanagerOutput(String name, URI base, String generatorUrl, Duration resolveAfter, Duration timeout) {
        super(name, endpoint(base), timeout);
        this.generatorUrl = generatorUrl;
        this.resolveAfter = resolveAfter;
    }

    /** The alerts endpoint under the base URL given (which may name it already). */
    private static URI endpoint(URI base) {
        String path = base.getPath() == null ? "" : base.getPath().replaceAll("/+$", "");
        return base.resolve(path.endsWith(API_PATH) ? path : path + API_PATH);
    }

    @Override
    public void send(Notification notification) throws DeliveryException {
        ArrayNode body = JSON.createArrayNode();
        Instant endsAt = notification.resolved() ? notification.at()
                : resolveAfter.isZero() ? null : notification.at().plus(resolveAfter.multipliedBy(2));
        for (Alert alert : notification.alerts()) {
            ObjectNode entry = body.addObject();
            ObjectNode labels = entry.putObject("labels");
            labels.put("alertname", alert.getType());
            labels.put("severity", alert.getSeverity().name());
            labels.put("source", "wirewatch");
            putIfPresent(labels, Map.of("host", nullable(alert.getHost()), "server", nullable(alert.getServer()),
                    "ip", nullable(alert.getIp()), "dst_ip", nullable(alert.getDstIp()),
                    "client_ip", nullable(alert.getClientIp())));
            ObjectNode annotations = entry.putObject("annotations");
            annotations.put("summary", alert.getSummary());
            annotations.put("description", alert.getHint());
            annotations.put("alert_id", alert.getId());
            annotations.put("count", Long.toString(alert.getCount()));
            if (notification.isUpdate(alert)) { // re-posted with the same labels: Alertmanager updates the alert
                annotations.put("revision", Integer.toString(notification.revision(alert)));
            }
            if (alert.getCause() != null) {
                annotations.put("cause", alert.getCause());
            }
            if (alert.getCommunityId() != null) {
                annotations.put("community_id", alert.getCommunityId());
            }
            if (alert.getExplainedBy() != null) {
                annotations.put("explained_by", alert.getExplainedBy());
            }
            entry.put("startsAt", Times.iso(alert.getFirstSeenMicros()));
            if (endsAt != null) {
                entry.put("endsAt", Times.iso(Math.max(endsAt.toEpochMilli() * 1000, alert.getFirstSeenMicros())));
            }
            entry.put("generatorURL", generatorUrl(alert));
        }
        try {
            http.post(uri, JSON.writeValueAsBytes(body), Map.of());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    /** Where a person finds the evidence: the configured page with the alert id, or a note of the export command. */
    private String generatorUrl(Alert alert) {
        String id = URLEncoder.encode(alert.getId(), StandardCharsets.UTF_8);
        return generatorUrl == null ? "wirewatch:export?alert=" + id : generatorUrl + id;
    }

    private static String nullable(String value) {
        return value == null ? "" : value;
    }

    private static void putIfPresent(ObjectNode labels, Map<String, String> values) {
        values.forEach((label, value) -> {
            if (!value.isEmpty()) {
                labels.put(label, value);
            }
        });
    }
}
