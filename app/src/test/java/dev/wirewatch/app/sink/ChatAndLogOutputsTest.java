package dev.wirewatch.app.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wirewatch.record.Alert;
import dev.wirewatch.sink.AlertSink;
import dev.wirewatch.sink.delivery.RetryPolicy;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Slack, syslog (UDP and TCP) and rotated JSON-lines files, each against a real receiver, with real findings. */
class ChatAndLogOutputsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RetryPolicy RETRIES = new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(1));
    /** RFC 5424: PRI VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG. */
    private static final Pattern RFC5424 = Pattern.compile(
            "<(\\d{1,3})>1 (\\S+) (\\S+) wirewatch (\\d+) (\\S{1,32}) \\[wirewatch@32473((?: [a-z_]+=\"(?:[^\"\\\\\\]]|\\\\.)*\")+)\\] (.+)",
            Pattern.DOTALL);

    @Test
    void slackGetsOneReadableMessagePerNotificationAndItsTokenStaysOutOfMetrics() throws Exception {
        List<Alert> expected = AnalyzedAlerts.alerts();
        try (RecordingHttpServer slack = RecordingHttpServer.on(0)) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            AlertSink sink = AnalyzedAlerts.start(AnalyzedAlerts.config(null, Duration.ZERO, Duration.ZERO, RETRIES,
                    "slack:http://127.0.0.1:" + slack.port() + "/services/T0001/B0001/SECRETTOKEN"), registry);
            WebhookDeliveryTest.awaitTrue(() -> alertsIn(slack.requests()) >= expected.size(), Duration.ofSeconds(60));
            sink.close();
            assertEquals(expected.size(), alertsIn(slack.requests()));
            for (RecordingHttpServer.Request request : slack.requests()) {
                assertEquals("/services/T0001/B0001/SECRETTOKEN", request.path());
                JsonNode message = JSON.readTree(request.body());
                JsonNode header = message.get("blocks").get(0);
                assertEquals("header", header.get("type").asText());
                String title = header.get("text").get("text").asText();
                assertTrue(title.length() <= 150, "Slack caps header text at 150: " + title);
                String id = idIn(message);
                Alert alert = expected.stream().filter(candidate -> candidate.getId().equals(id)).findFirst().orElseThrow();
                assertTrue(title.startsWith(alert.getSeverity().name().toUpperCase() + " " + alert.getType()), title);
                assertTrue(message.get("text").asText().contains(alert.getSummary()), "fallback text holds the summary");
                StringBuilder shown = new StringBuilder();
                message.get("blocks").findValues("text").forEach(text -> shown.append(text.isTextual() ? text.asText()
                        : text.path("text").asText()).append('\n'));
                assertTrue(shown.toString().contains(alert.getHint()), "the hint is in the message: " + shown);
            }
            for (Meter meter : registry.getMeters()) {
                assertFalse(meter.getId().toString().contains("SECRETTOKEN"), meter.getId().toString());
            }
        }
    }

    @Test
    void syslogOverUdpIsOneRfc5424DatagramPerAlert() throws Exception {
        List<Alert> expected = AnalyzedAlerts.alerts();
        List<String> messages = new ArrayList<>();
        try (DatagramSocket receiver = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            receiver.setSoTimeout(30_000);
            AlertSink sink = AnalyzedAlerts.start(AnalyzedAlerts.config(null, Duration.ZERO, Duration.ZERO, RETRIES,
                    "syslog:127.0.0.1:" + receiver.getLocalPort()), new SimpleMeterRegistry());
            try {
                byte[] buffer = new byte[65_536];
                while (messages.size() < expected.size()) {
                    DatagramPacket datagram = new DatagramPacket(buffer, buffer.length);
                    receiver.receive(datagram);
                    messages.add(new String(datagram.getData(), 0, datagram.getLength(), StandardCharsets.UTF_8));
                }
                receiver.setSoTimeout(1500);
                assertThrowsTimeout(() -> receiver.receive(new DatagramPacket(buffer, buffer.length)), "no further datagram");
            } finally {
                sink.close();
            }
        }
        checkSyslog(expected, messages);
    }

    @Test
    void syslogOverTcpUsesOctetCounting() throws Exception {
        List<Alert> expected = AnalyzedAlerts.alerts();
        List<String> messages = new ArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(30_000);
            AlertSink sink = AnalyzedAlerts.start(AnalyzedAlerts.config(null, Duration.ZERO, Duration.ZERO, RETRIES,
                    "syslog:127.0.0.1:" + server.getLocalPort() + ";transport=tcp"), new SimpleMeterRegistry());
            try (Socket connection = server.accept()) {
                connection.setSoTimeout(30_000);
                DataInputStream in = new DataInputStream(connection.getInputStream());
                while (messages.size() < expected.size()) {
                    StringBuilder length = new StringBuilder();
                    for (int c = in.read(); c != ' '; c = in.read()) {
                        assertTrue(c >= '0' && c <= '9', "MSG-LEN digits, then a space (RFC 6587 octet counting)");
                        length.append((char) c);
                    }
                    byte[] frame = new byte[Integer.parseInt(length.toString())];
                    in.readFully(frame);
                    messages.add(new String(frame, StandardCharsets.UTF_8));
                }
            } finally {
                sink.close();
            }
        }
        checkSyslog(expected, messages);
    }

    @Test
    void jsonLinesAreRotatedBySizeAndNoneIsLost(@TempDir Path dir) throws Exception {
        List<Alert> expected = AnalyzedAlerts.alerts();
        Path file = dir.resolve("alerts.jsonl");
        AlertSink sink = AnalyzedAlerts.start(AnalyzedAlerts.config(null, Duration.ZERO, Duration.ZERO, RETRIES,
                "jsonl:" + file + ";max-size=4KB;keep=50"), new SimpleMeterRegistry());
        WebhookDeliveryTest.awaitTrue(() -> lines(dir).size() >= expected.size(), Duration.ofSeconds(60));
        sink.close();
        List<String> lines = lines(dir);
        TreeSet<String> ids = new TreeSet<>();
        for (String line : lines) {
            ids.add(JSON.readTree(line).get("id").asText());
        }
        assertEquals(expected.size(), lines.size());
        assertEquals(WebhookDeliveryTest.idsOf(expected), ids);
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> rotated = files.filter(path -> path.getFileName().toString().startsWith("alerts.jsonl.")).toList();
            assertTrue(rotated.size() >= 2, "rotated at 4 KiB: " + rotated);
            for (Path old : rotated) {
                List<String> held = Files.readAllLines(old);
                assertTrue(Files.size(old) <= 4096 || held.size() <= 2, old + " overfull: " + Files.size(old));
            }
        }
    }

    private static void checkSyslog(List<Alert> expected, List<String> messages) {
        TreeSet<String> ids = new TreeSet<>();
        for (String message : messages) {
            Matcher match = RFC5424.matcher(message);
            assertTrue(match.matches(), "RFC 5424: " + message);
            Matcher id = Pattern.compile(" id=\"([^\"]+)\"").matcher(match.group(6));
            assertTrue(id.find());
            Alert alert = expected.stream().filter(candidate -> candidate.getId().equals(id.group(1))).findFirst().orElseThrow();
            int severity = switch (alert.getSeverity()) {
                case critical -> 2;
                case warning -> 4;
                case info -> 6;
            };
            assertEquals(16 * 8 + severity, Integer.parseInt(match.group(1)), "facility local0 and the alert's severity");
            OffsetDateTime.parse(match.group(2));
            assertEquals(alert.getType(), match.group(5), "MSGID");
            assertTrue(match.group(7).startsWith(alert.getSummary()), match.group(7));
            ids.add(alert.getId());
        }
        assertEquals(expected.size(), messages.size());
        assertEquals(WebhookDeliveryTest.idsOf(expected), ids);
    }

    private static int alertsIn(List<RecordingHttpServer.Request> requests) {
        int count = 0;
        for (RecordingHttpServer.Request request : requests) {
            try {
                Matcher more = Pattern.compile("and (\\d+) more").matcher(
                        JSON.readTree(request.body()).get("blocks").findValues("text").toString());
                count += 1 + (more.find() ? Integer.parseInt(more.group(1)) : 0);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return count;
    }

    private static String idIn(JsonNode message) {
        Matcher id = Pattern.compile("wirewatch alert `([0-9a-f]+)`").matcher(message.toString());
        assertTrue(id.find(), message.toString());
        return id.group(1);
    }

    private static List<String> lines(Path dir) {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                lines.addAll(Files.readAllLines(file));
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return List.of(); // rotated away while listing: count again on the next look
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return lines;
    }

    private interface Receive {
        void run() throws IOException;
    }

    private static void assertThrowsTimeout(Receive receive, String message) throws IOException {
        try {
            receive.run();
            throw new AssertionError(message);
        } catch (SocketTimeoutException expected) {
            // nothing more came
        }
    }
}
