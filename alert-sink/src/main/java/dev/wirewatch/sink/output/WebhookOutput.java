package dev.wirewatch.sink.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wirewatch.record.Alert;
import dev.wirewatch.schemas.Times;
import dev.wirewatch.sink.AlertSubject;
import dev.wirewatch.sink.Notification;
import java.net.URI;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A JSON POST per notification: {@code {"version":1,"status":"firing"|"resolved","group":...,"alerts":[...]}} with the
 * alerts as in ALERTS.md. With a secret, {@code X-Wirewatch-Signature: sha256=HEX} is the HMAC-SHA256 of the exact
 * body, so the receiver can check that it came from this sink and was not altered.
 */
final class WebhookOutput extends HttpOutput {
    static final String SIGNATURE_HEADER = "X-Wirewatch-Signature";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final byte[] secret;

    WebhookOutput(String name, URI uri, byte[] secret, Duration timeout) {
        super(name, uri, timeout);
        this.secret = secret;
    }

    @Override
    public void send(Notification notification) throws DeliveryException {
        byte[] body = body(notification);
        http.post(uri, body, secret == null ? Map.of() : Map.of(SIGNATURE_HEADER, signature(secret, body)));
    }

    static byte[] body(Notification notification) {
        ObjectNode document = JSON.createObjectNode();
        document.put("version", 1);
        document.put("status", notification.status().name().toLowerCase(Locale.ROOT));
        document.put("group", AlertSubject.of(notification.lead()));
        document.put("count", notification.alerts().size());
        document.put("sent_at", Times.iso(notification.at().toEpochMilli() * 1000));
        ArrayNode alerts = document.putArray("alerts");
        for (Alert alert : notification.alerts()) {
            alerts.add(JsonLine.node(alert, notification.revision(alert)));
        }
        try {
            return JSON.writeValueAsBytes(document);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("an ObjectNode always serialises", e);
        }
    }

    /** {@code sha256=} and the lower-case hex HMAC-SHA256 of {@code body} under {@code secret}. */
    static String signature(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
