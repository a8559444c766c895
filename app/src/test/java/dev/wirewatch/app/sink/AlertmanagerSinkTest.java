package dev.wirewatch.app.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wirewatch.record.Alert;
import dev.wirewatch.sink.AlertSink;
import dev.wirewatch.sink.delivery.RetryPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The findings of every bundled case through the sink into a real Alertmanager (Debian's prometheus-alertmanager,
 * installed by .ci/run), read back from its own API: one Alertmanager alert per condition, labelled as documented,
 * and closed by the sink's resolved notification before the endsAt the firing alert carried.
 */
class AlertmanagerSinkTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");

    @Test
    void findingsArriveInAlertmanagerWithTheirLabelsAndAreResolvedWhenTheyStop(@TempDir Path dir) throws Exception {
        assertTrue(Files.isExecutable(BINARY), "prometheus-alertmanager is needed: run deploy/test-deps.sh");
        List<Alert> expected = AnalyzedAlerts.alerts();
        int port = RecordingHttpServer.freePort();
        Path config = Files.writeString(dir.resolve("alertmanager.yml"), "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n");
        Process alertmanager = new ProcessBuilder(BINARY.toString(), "--config.file=" + config,
                "--storage.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address=")
                .redirectErrorStream(true).redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
        try {
            URI api = URI.create("http://127.0.0.1:" + port + "/api/v2/alerts");
            WebhookDeliveryTest.awaitTrue(() -> get(api) != null, Duration.ofSeconds(30));
            Set<Map<String, String>> conditions = new HashSet<>();
            for (Alert alert : expected) {
                conditions.add(labels(alert));
            }

            AlertSink sink = AnalyzedAlerts.start(AnalyzedAlerts.config(null, Duration.ZERO, Duration.ofSeconds(6),
                    new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(1)), "alertmanager:http://127.0.0.1:" + port),
                    new SimpleMeterRegistry());
            try {
                WebhookDeliveryTest.awaitTrue(() -> get(api).size() == conditions.size(), Duration.ofSeconds(30));
                JsonNode firing = get(api);
                Set<Map<String, String>> received = new HashSet<>();
                Instant earliestEnd = Instant.MAX;
                for (JsonNode entry : firing) {
                    Map<String, String> labels = new TreeMap<>();
                    entry.get("labels").fields().forEachRemaining(field -> labels.put(field.getKey(), field.getValue().asText()));
                    received.add(labels);
                    String id = entry.get("annotations").get("alert_id").asText();
                    Alert alert = expected.stream().filter(candidate -> candidate.getId().equals(id)).findFirst().orElseThrow();
                    assertEquals(labels(alert), labels, "labels of " + id);
                    assertEquals(alert.getSummary(), entry.get("annotations").get("summary").asText());
                    assertEquals(alert.getHint(), entry.get("annotations").get("description").asText());
                    long earliest = expected.stream().filter(other -> labels(other).equals(labels))
                            .mapToLong(Alert::getFirstSeenMicros).min().orElseThrow();
                    assertEquals(Instant.ofEpochMilli(earliest / 1000), Instant.parse(entry.get("startsAt").asText()),
                            "Alertmanager keeps the earliest start of a condition");
                    assertEquals("active", entry.get("status").get("state").asText());
                    assertTrue(entry.get("generatorURL").asText().endsWith(id));
                    Instant endsAt = Instant.parse(entry.get("endsAt").asText());
                    earliestEnd = endsAt.isBefore(earliestEnd) ? endsAt : earliestEnd;
                }
                assertEquals(conditions, received, "one Alertmanager alert per condition");

                WebhookDeliveryTest.awaitTrue(() -> get(api).isEmpty(), Duration.ofSeconds(30));
                Instant resolvedBy = Instant.now();
                assertTrue(resolvedBy.isBefore(earliestEnd), "closed by the sink's resolution at " + resolvedBy
                        + ", before the firing endsAt " + earliestEnd);
            } finally {
                sink.close();
            }
        } finally {
            alertmanager.destroy();
            alertmanager.waitFor();
        }
    }

    /** The labels the sink documents: alertname, severity, source and the subject fields the alert has. */
    private static Map<String, String> labels(Alert alert) {
        Map<String, String> labels = new TreeMap<>();
        labels.put("alertname", alert.getType());
        labels.put("severity", alert.getSeverity().name());
        labels.put("source", "wirewatch");
        putIfPresent(labels, "host", alert.getHost());
        putIfPresent(labels, "server", alert.getServer());
        putIfPresent(labels, "ip", alert.getIp());
        putIfPresent(labels, "dst_ip", alert.getDstIp());
        putIfPresent(labels, "client_ip", alert.getClientIp());
        return labels;
    }

    private static void putIfPresent(Map<String, String> labels, String name, String value) {
        if (value != null) {
            labels.put(name, value);
        }
    }

    private static JsonNode get(URI api) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(api).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
