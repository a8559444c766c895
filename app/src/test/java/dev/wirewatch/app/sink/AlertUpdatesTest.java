package dev.wirewatch.app.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wirewatch.record.Alert;
import dev.wirewatch.sink.AlertSink;
import dev.wirewatch.sink.delivery.RetryPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 18, item 4 (sink side): one alert id is one finding. Refined content under the id is delivered as an update of
 * it (never dropped as a duplicate), the same content again is a duplicate — also across a restart of the sink.
 */
class AlertUpdatesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RetryPolicy RETRY = new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(1));
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
    void aRefinedFindingIsAnUpdateOfItsIdAndTheSameContentAgainIsADuplicateAlsoAfterARestart() throws Exception {
        Alert first = SinkTestBroker.alert("finding-1", 1, "NO_ANSWER");
        Alert refined = SinkTestBroker.alert("finding-1", 3, "DROPPED_AT_SERVER_HOST");
        Alert refinedAgain = SinkTestBroker.alert("finding-1", 5, "DROPPED_AT_SERVER_HOST");
        try (RecordingHttpServer receiver = RecordingHttpServer.on(0)) {
            String webhook = "webhook:http://127.0.0.1:" + receiver.port() + "/hook";
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            broker.publish(first);
            AlertSink sink = broker.start("updates", registry, RETRY, webhook);
            SinkTestBroker.await(() -> receiver.requests().size() >= 1, () -> "the first delivery");
            broker.publish(first, refined); // a producer's re-send, then the refined finding
            SinkTestBroker.await(() -> receiver.requests().size() >= 2, () -> "the update");
            SinkTestBroker.await(() -> registry.counter("wirewatch.sink.duplicates").count() == 1, () -> "the re-send counted");
            sink.close();

            broker.publish(refined, refinedAgain); // while the sink is down: a re-send and another refinement
            SimpleMeterRegistry afterRestart = new SimpleMeterRegistry();
            AlertSink restarted = broker.start("updates", afterRestart, RETRY, webhook);
            SinkTestBroker.await(() -> receiver.requests().size() >= 3, () -> "the second update after the restart");
            SinkTestBroker.await(() -> afterRestart.counter("wirewatch.sink.duplicates").count() == 1,
                    () -> "the re-send before the restart is known as a duplicate after it");
            restarted.close();

            List<JsonNode> sent = new ArrayList<>();
            for (String body : SinkTestBroker.lines(receiver.requests())) {
                sent.add(JSON.readTree(body).get("alerts").get(0));
            }
            assertEquals(List.of(1L, 3L, 5L), sent.stream().map(alert -> alert.get("count").asLong()).toList(),
                    "each content once, in order");
            assertFalse(sent.get(0).has("update"), "a first delivery is no update: " + sent.get(0));
            assertEquals("DROPPED_AT_SERVER_HOST", sent.get(1).get("cause").asText());
            assertEquals(List.of(true, true), List.of(sent.get(1).get("update").asBoolean(), sent.get(2).get("update").asBoolean()));
            assertEquals(List.of(2, 3), List.of(sent.get(1).get("revision").asInt(), sent.get(2).get("revision").asInt()));
            assertEquals(1.0, registry.counter("wirewatch.sink.updates").count() + 0.0);
            assertEquals(1.0, afterRestart.counter("wirewatch.sink.updates").count() + 0.0);
        }
    }
}
