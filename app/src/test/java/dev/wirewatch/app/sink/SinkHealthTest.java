package dev.wirewatch.app.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.http.ServiceEndpoint;
import dev.wirewatch.sink.AlertSink;
import dev.wirewatch.sink.delivery.RetryPolicy;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issue 18, item 7: the sink's /health tells when an output fails every delivery, and which, and why. */
class SinkHealthTest {
    private static SinkTestBroker broker;

    @BeforeAll
    static void start() {
        broker = new SinkTestBroker();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void healthIs503NamingTheFailingOutputAndItsErrorAnd200OnceItDeliversAgain() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (RecordingHttpServer receiver = RecordingHttpServer.on(0)) {
            receiver.answer(500);
            broker.publish(SinkTestBroker.alert("health-1", 3, null));
            AlertSink sink = broker.start("health", registry, new RetryPolicy(1000, Duration.ofMillis(100),
                    Duration.ofMillis(300)), "webhook:http://127.0.0.1:" + receiver.port() + "/hook");
            try (ServiceEndpoint http = ServiceEndpoint.start(0, registry, sink::degraded)) {
                SinkTestBroker.await(() -> health(http).statusCode() == 503, () -> "503 while every attempt fails");
                String body = health(http).body();
                assertTrue(body.contains("webhook:127.0.0.1:" + receiver.port()) && body.contains("HTTP 500"),
                        "names the output and why: " + body);

                receiver.answer(200);
                SinkTestBroker.await(() -> health(http).statusCode() == 200, () -> "200 once it delivers again");
                assertEquals("{\"status\":\"ok\"}\n", health(http).body());
            } finally {
                sink.close();
            }
        }
    }

    private static HttpResponse<String> health(ServiceEndpoint http) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port()
                    + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
