package dev.wirewatch.sink.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Evidence;
import dev.wirewatch.schemas.Times;
import dev.wirewatch.sink.AlertSubject;
import dev.wirewatch.sink.Notification;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Slack incoming webhook: one message per notification in Block Kit — a header with severity, type and how many
 * alerts the burst holds, the summary, the subject fields, the hint, and a few evidence lines; {@code text} is the
 * plain fallback Slack shows in notifications.
 */
final class SlackOutput extends HttpOutput {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int HEADER_LIMIT = 150;
    private static final int EVIDENCE_LINES = 4;


    SlackOutput(String name, URI uri, Duration timeout) {
        super(name, uri, timeout);
    }

    @Override
    public void send(Notification notification) throws DeliveryException {
        http.post(uri, message(notification), Map.of());
    }

    static byte[] message(Notification notification) {
        Alert lead = notification.lead();
        String title = headline(notification);
        ObjectNode message = JSON.createObjectNode();
        message.put("text", title + ": " + lead.getSummary());
        ArrayNode blocks = message.putArray("blocks");
        ObjectNode header = blocks.addObject().put("type", "header");
        header.putObject("text").put("type", "plain_text").put("text", clip(title, HEADER_LIMIT));
        section(blocks, notification.resolved() ? "Cleared: no new alert since the last one. " + lead.getSummary()
                : lead.getSummary());
        List<String> fields = new ArrayList<>();
        field(fields, "Host", lead.getHost());
        field(fields, "Server", lead.getServer());
        field(fields, "Client", lead.getClient());
        field(fields, "Address", AlertSubject.address(lead));
        field(fields, "Cause", lead.getCause());
        field(fields, "First seen", Times.iso(lead.getFirstSeenMicros()));
        if (!fields.isEmpty()) {
            ArrayNode array = blocks.addObject().put("type", "section").putArray("fields");
            fields.forEach(text -> array.addObject().put("type", "mrkdwn").put("text", text));
        }
        if (!notification.resolved()) {
            section(blocks, "*What to check:* " + lead.getHint());
            StringBuilder evidence = new StringBuilder();
            lead.getEvidence().stream().limit(EVIDENCE_LINES).forEach(item -> evidence.append(line(item)).append('\n'));
            if (evidence.length() > 0) {
                section(blocks, "```" + evidence.toString().strip() + "```");
            }
        }
        ArrayNode context = blocks.addObject().put("type", "context").putArray("elements");
        context.addObject().put("type", "mrkdwn").put("text", "wirewatch alert `" + lead.getId() + "`"
                + (notification.alerts().size() > 1 ? " and " + (notification.alerts().size() - 1) + " more" : ""));
        try {
            return JSON.writeValueAsBytes(message);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    private static String headline(Notification notification) {
        Alert lead = notification.lead();
        String subject = AlertSubject.headline(lead);
        String state = notification.resolved() ? "RESOLVED" : notification.severity().name().toUpperCase(Locale.ROOT);
        String count = notification.alerts().size() > 1 ? " ×" + notification.alerts().size() : "";
        String updated = !notification.resolved() && notification.alerts().stream().anyMatch(notification::isUpdate)
                ? " (updated)" : "";
        return state + " " + lead.getType() + count + (subject == null ? "" : " on " + subject) + updated;
    }

    private static void section(ArrayNode blocks, String markdown) {
        blocks.addObject().put("type", "section").putObject("text").put("type", "mrkdwn").put("text", clip(markdown, 2900));
    }

    private static void field(List<String> fields, String label, String value) {
        if (value != null) {
            fields.add("*" + label + "*\n" + value);
        }
    }

    private static String line(Evidence item) {
        return item.getHost() + (item.getIface().isEmpty() ? "" : "/" + item.getIface()) + " "
                + Times.iso(item.getTsMicros()) + " " + item.getLine();
    }

    private static String clip(String text, int limit) {
        return text.length() <= limit ? text : text.substring(0, limit - 1) + "…";
    }
}
