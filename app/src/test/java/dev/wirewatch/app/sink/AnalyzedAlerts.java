package dev.wirewatch.app.sink;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.analyze.Analysis;
import dev.wirewatch.app.analyze.CaptureInput;
import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.sensor.emit.EmissionMode;
import dev.wirewatch.sink.AlertSink;
import dev.wirewatch.sink.SinkConfig;
import dev.wirewatch.sink.delivery.RetryPolicy;
import dev.wirewatch.sink.output.OutputSpec;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * Real findings on a real broker, shared by the sink tests: every bundled case analysed once into ww.alerts. What the
 * receivers must end up with is exactly this list, as the processor wrote it.
 */
final class AnalyzedAlerts {
    private static EmbeddedBroker broker;
    private static List<Alert> alerts;

    private AnalyzedAlerts() {}

    static synchronized List<Alert> alerts() {
        if (alerts == null) {
            Path samples = Path.of(System.getProperty("wirewatch.samples", "../deploy/samples"));
            assertTrue(Files.isDirectory(samples), "deploy/samples not found");
            broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3));
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
            Analysis analysis = new Analysis(clientConfig(), EmissionMode.CONTROL,
                    new PrintStream(System.out, true, StandardCharsets.UTF_8));
            List<Alert> found = new ArrayList<>();
            try (Stream<Path> cases = Files.list(samples)) {
                for (Path dir : cases.filter(dir -> Files.isRegularFile(dir.resolve("topology.yaml"))).sorted().toList()) {
                    found.addAll(analysis.run(CaptureInput.folder(dir), NetworkTopology.load(dir.resolve("topology.yaml")),
                            ProcessorConfig.DEFAULTS));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            alerts = List.copyOf(found);
        }
        return alerts;
    }

    static Map<String, Object> clientConfig() {
        return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    }

    /** A sink over the shared ww.alerts from its start, as a group of its own unless {@code groupId} is given. */
    static SinkConfig config(String groupId, Duration groupWait, Duration resolveAfter, RetryPolicy retry, String... outputs) {
        return new SinkConfig("ww.alerts", groupId == null ? "test-sink-" + UUID.randomUUID() : groupId, true,
                Stream.of(outputs).map(OutputSpec::parse).toList(), groupWait, resolveAfter, retry);
    }

    /** A sink running on its own thread until closed. */
    static AlertSink start(SinkConfig config, MeterRegistry registry) {
        AlertSink sink = new AlertSink(clientConfig(), config, registry);
        Thread thread = new Thread(sink::run, "test-sink");
        thread.setDaemon(true);
        thread.start();
        return sink;
    }
}
