package dev.wirewatch.app.cli;

import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.app.console.ConsoleApi;
import dev.wirewatch.app.console.ConsoleServer;
import dev.wirewatch.app.http.ServiceEndpoint;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.processor.ProcessorService;
import dev.wirewatch.processor.StreamTopics;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.metrics.ProcessorMetrics;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.schemas.Topics;
import dev.wirewatch.sensor.SensorService;
import dev.wirewatch.sensor.capture.Capabilities;
import dev.wirewatch.sink.AlertSink;
import dev.wirewatch.sink.SinkConfig;
import dev.wirewatch.sink.delivery.RetryPolicy;
import dev.wirewatch.sink.output.OutputSpec;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * One host watched live in one process: a broker on a kept data directory, the sensor on this host's interfaces, the
 * processor and the sink, started in the data's order and stopped in reverse, so that what the sensor captured reaches
 * Kafka before the broker stops. After a restart each part resumes where it stopped: the sensor's records are in the
 * broker's log, the processor's state and offsets in its state directory and transactions, the sink's position in its
 * group; so no alert is lost or delivered twice.
 */
@Command(name = "standalone", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Watches this host live in one process: sensor, embedded Kafka broker (kept in --data), processor and sink. For one host or a small site; the services (sensor, processor, sink) scale out the same pipeline.",
                "It needs CAP_NET_RAW (root, or a user granted it: the package's wirewatch-standalone unit runs as the wirewatch user with only that) and a writable --data directory.",
                "Other commands reach its broker on 127.0.0.1:--kafka-port, e.g. wirewatch alerts --bootstrap-servers 127.0.0.1:9092.",
                "Example: sudo wirewatch standalone --interface eth0 --to jsonl:/var/log/wirewatch/alerts.jsonl"})
public final class StandaloneCommand implements Callable<Integer> {
    static final String APPLICATION_ID = "wirewatch-processor";
    static final String SINK_GROUP = "wirewatch-sink";

    @Option(names = "--interface", paramLabel = "IF", description = "Interface to capture; repeat for several (default: any).")
    List<String> interfaces = List.of();

    @Option(names = "--host", paramLabel = "NAME", description = "Name of this host in alerts (default: the host name).")
    String host;

    @Option(names = "--filter", paramLabel = "BPF", description = "Capture filter (tcpdump syntax); the broker's own traffic is always excluded.")
    String filter;

    @Option(names = "--topology", paramLabel = "FILE", description = "topology.yaml: the hosts around this one, NAT, segments (optional: this host, its interfaces and addresses are read from the system unless the file declares it).")
    Path topology;

    @Mixin
    DetectorConfigOptions detectorConfig = new DetectorConfigOptions();

    @Option(names = "--to", paramLabel = "SPEC", description = "An output, as wirewatch sink --to takes it (default: stdout). Repeat for several.")
    List<String> outputs = List.of("stdout");

    @Option(names = "--data", defaultValue = "/var/lib/wirewatch/standalone", paramLabel = "DIR",
            description = "Kept across restarts: the broker's log, the processor's state (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--kafka-port", defaultValue = "9092", paramLabel = "PORT",
            description = "The embedded broker's port on 127.0.0.1, for wirewatch alerts, status and export (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--http-port", paramLabel = "PORT",
            description = "Serve /metrics (the sensor's, processor's and sink's) and /health (503 with the reason while any part is degraded). Off unless given.")
    Integer httpPort;

    @Option(names = "--console-port", paramLabel = "PORT",
            description = "Serve the web console on 127.0.0.1 at this port (wirewatch console). Off unless given.")
    Integer consolePort;

    @Override
    public Integer call() throws Exception {
        Optional<ProcessorConfig> loaded = detectorConfig.loadUnlessPrinted(System.out);
        if (loaded.isEmpty()) {
            return 0;
        }
        String name = host != null ? host : InetAddress.getLocalHost().getHostName();
        List<String> captured = interfaces.isEmpty() ? List.of("any") : interfaces;
        NetworkTopology network = NetworkTopology.load(topology).withHost(ThisHost.describe(name, captured));
        SinkConfig sinkConfig = Arguments.parse(() -> new SinkConfig(Topics.ALERTS, SINK_GROUP, true,
                outputs.stream().map(OutputSpec::parse).toList(), Duration.ofSeconds(5), Duration.ofMinutes(15),
                new RetryPolicy(8, Duration.ofSeconds(1), Duration.ofSeconds(60))));
        Capabilities.ofThisProcess().requireForLiveCapture(false);
        requireWritable(data);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

        try (EmbeddedBroker broker = EmbeddedBroker.start(new BrokerOptions(data.resolve("kafka"), kafkaPort,
                TopicSetup.DEFAULT_PARTITIONS, "127.0.0.1"))) {
            Map<String, Object> clientConfig = new HashMap<>(broker.adminClientConfig());
            int partitions;
            try (Admin admin = Admin.create(clientConfig)) {
                TopicSetup.ensure(admin, TopicSetup.DEFAULT_PARTITIONS, Map.of());
                partitions = TopicSetup.ensureForProcessor(admin, APPLICATION_ID);
            }
            Map<String, Object> streamsConfig = new HashMap<>(clientConfig);
            streamsConfig.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
            KafkaStreams processor = ProcessorService.create(streamsConfig, APPLICATION_ID, data.resolve("processor"),
                    network, loaded.get(), partitions, StreamTopics.LIVE, new ProcessorMetrics(registry));
            ProcessorCommand.bindStreamsMetrics(processor, registry);
            CompletableFuture<String> stopped = new CompletableFuture<>();
            processor.setStateListener((now, before) -> {
                if (now == KafkaStreams.State.ERROR) {
                    stopped.complete("the processor failed (see the log above)");
                }
            });
            AlertSink sink = new AlertSink(clientConfig, sinkConfig, registry);
            SensorService sensor = new SensorService(SensorService.Settings.defaults(name, captured,
                    SensorCommand.captureFilter(filter, broker.bootstrapServers())), clientConfig);
            sensor.bindMetrics(registry);
            Thread sinkThread = new Thread(() -> {
                try {
                    sink.run();
                } catch (RuntimeException e) {
                    stopped.complete("the sink failed: " + e.getMessage());
                } finally {
                    stopped.complete("the sink stopped");
                }
            }, "wirewatch-standalone-sink");
            ServiceEndpoint http = null;
            ConsoleServer console = null;
            RuntimeException startFailure = null;
            String why;
            try {
                http = httpPort == null ? null : ServiceEndpoint.start(httpPort, registry, () -> Stream.of(
                        sensor.degradedReason(), processor.state().isRunningOrRebalancing() ? Optional.<String>empty()
                                : Optional.of("the processor is " + processor.state()), sink.degraded())
                        .flatMap(Optional::stream).findFirst());
                console = consolePort == null ? null : console(clientConfig, network, sinkConfig.resolveAfter());
                for (String signal : List.of("TERM", "INT")) {
                    Signal.handle(new Signal(signal), received -> stopped.complete("SIG" + received.getName()));
                }
                processor.start();
                sinkThread.start();
                sensor.start();
                sensor.fatal().thenAccept(reason -> stopped.complete("the sensor stopped: " + reason));
                System.err.printf("standalone %s: capturing %s, Kafka on %s, data in %s, alerts to %s%s%s; Ctrl-C to stop%n",
                        name, String.join(", ", captured), broker.bootstrapServers(), data.toAbsolutePath(),
                        String.join(", ", sink.outputNames()), http == null ? "" : ", /metrics on port " + http.port(),
                        console == null ? "" : ", the console on http://127.0.0.1:" + console.port() + "/");
                why = stopped.join();
            } catch (RuntimeException e) {
                startFailure = e;
                why = "it could not start";
            }
            // in the data's order: what was captured reaches Kafka, then the processor and the sink stop their work
            long undelivered = sensor.close(Duration.ofSeconds(30));
            processor.close(Duration.ofSeconds(30));
            sink.close();
            if (sinkThread.isAlive()) {
                sinkThread.join(Duration.ofSeconds(30).toMillis());
            }
            if (http != null) {
                http.close();
            }
            if (console != null) {
                console.close();
            }
            if (startFailure != null) {
                throw startFailure;
            }
            System.err.printf("standalone %s: stopped (%s)%s%n", name, why,
                    undelivered == 0 ? "" : String.format("; %,d records were not delivered", undelivered));
            return why.startsWith("SIG") ? 0 : 1;
        }
    }

    private ConsoleServer console(Map<String, Object> clientConfig, NetworkTopology network, Duration resolveAfter) {
        ConsoleApi api = new ConsoleApi(clientConfig, network, resolveAfter, APPLICATION_ID, SINK_GROUP);
        try {
            ConsoleServer console = new ConsoleServer(new InetSocketAddress("127.0.0.1", consolePort), null, null, api);
            console.start();
            return console;
        } catch (IOException e) {
            api.close();
            throw new UsageException("--console-port " + consolePort + ": cannot serve there (" + e.getMessage() + ")");
        }
    }

    private static void requireWritable(Path data) {
        try {
            Files.createDirectories(data);
        } catch (IOException e) {
            throw new UsageException("cannot create --data " + data + ": " + e.getMessage()
                    + " (run as root or as the wirewatch user, or give a --data directory you may write)");
        }
        if (!Files.isWritable(data)) {
            throw new UsageException("cannot write --data " + data
                    + " (run as root or as the wirewatch user, or give a --data directory you may write)");
        }
    }
}
