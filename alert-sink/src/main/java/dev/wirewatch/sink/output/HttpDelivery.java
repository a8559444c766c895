package dev.wirewatch.sink.output;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * A JSON POST and what its answer means for delivery: 2xx accepted; 408, 429 and 5xx (and no answer at all) worth
 * retrying; any other 4xx a permanent refusal (a wrong URL or payload does not get better by repeating it).
 */
final class HttpDelivery {
    private static final int EXCERPT = 200;
    private final HttpClient client;
    private final Duration timeout;

    HttpDelivery(Duration timeout) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    void post(URI uri, byte[] body, Map<String, String> headers) throws DeliveryException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/json").header("User-Agent", "wirewatch-sink")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        HttpResponse<String> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new DeliveryException("no answer from " + uri.getHost() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryException("interrupted while sending to " + uri.getHost(), e);
        }
        int status = response.statusCode();
        if (status / 100 == 2) {
            return;
        }
        String excerpt = response.body() == null ? "" : response.body().strip();
        if (excerpt.length() > EXCERPT) {
            excerpt = excerpt.substring(0, EXCERPT) + "…";
        }
        boolean retryable = status == 408 || status == 429 || status >= 500;
        throw new DeliveryException("HTTP " + status + " from " + uri.getHost() + (excerpt.isEmpty() ? "" : ": " + excerpt),
                retryable);
    }
}
