package dev.wirewatch.app.sink;

import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Severity;
import dev.wirewatch.schemas.RecordCodec;
import dev.wirewatch.schemas.Topics;
import dev.wirewatch.sink.AlertSink;
import dev.wirewatch.sink.SinkConfig;
import dev.wirewatch.sink.delivery.RetryPolicy;
import dev.wirewatch.sink.output.OutputSpec;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** A broker of a test class's own, with alerts written as the processor writes them and sinks reading them. */
final class SinkTestBroker implements AutoCloseable {
    private final EmbeddedBroker broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 1));

    SinkTestBroker() {
        try (Admin admin = Admin.create(clientConfig())) {
            TopicSetup.ensure(admin, 1, Map.of());
        }
    }

    Map<String, Object> clientConfig() {
        return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    }

    String bootstrapServers() {
        return broker.bootstrapServers();
    }

    void publish(Alert... alerts) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(clientConfig(), new StringSerializer(),
                new ByteArraySerializer())) {
            for (Alert alert : alerts) {
                producer.send(new ProducerRecord<>(Topics.ALERTS, alert.getId(), RecordCodec.shared().encode(alert))).get();
            }
        }
    }

    /** A sink of group {@code group} over ww.alerts from its start, alone per notification, on its own thread. */
    AlertSink start(String group, MeterRegistry registry, RetryPolicy retry, String... outputs) {
        return start(group, registry, retry, Duration.ZERO, outputs);
    }

    /** As {@link #start(String, MeterRegistry, RetryPolicy, String...)}, resolving conditions quiet for {@code resolveAfter}. */
    AlertSink start(String group, MeterRegistry registry, RetryPolicy retry, Duration resolveAfter, String... outputs) {
        AlertSink sink = new AlertSink(clientConfig(), new SinkConfig(Topics.ALERTS, group, true,
                Stream.of(outputs).map(OutputSpec::parse).toList(), Duration.ZERO, resolveAfter, retry), registry);
        Thread thread = new Thread(sink::run, "test-sink-" + group);
        thread.setDaemon(true);
        thread.start();
        return sink;
    }

    static Alert alert(String id, long count, String cause) {
        return alert(id, count, cause, "198.51.100.20:8080");
    }

    /** An alert about {@code server}: each server is a subject of its own, a condition of its own. */
    static Alert alert(String id, long count, String cause, String server) {
        return Alert.newBuilder().setId(id).setType("CONNECTION_REFUSED").setSeverity(Severity.warning).setCause(cause)
                .setServer(server).setFirstSeenMicros(1_796_294_440_000_000L)
                .setLastSeenMicros(1_796_294_440_000_000L + count).setCount(count).setSummary(count + " refused")
                .setHint("look at the service").build();
    }

    static void await(BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 2 minutes: " + what.get());
            }
            Thread.sleep(100);
        }
    }

    static List<String> lines(List<RecordingHttpServer.Request> requests) {
        return requests.stream().map(request -> new String(request.body(), java.nio.charset.StandardCharsets.UTF_8)).toList();
    }

    @Override
    public void close() {
        broker.close();
    }
}
