package dev.wirewatch.app.cli;

import dev.wirewatch.app.http.ServiceEndpoint;
import dev.wirewatch.app.kafka.ClusterSizing;
import dev.wirewatch.app.kafka.GroupStart;
import dev.wirewatch.app.kafka.StaticMembership;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.processor.ProcessorService;
import dev.wirewatch.processor.StreamTopics;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.metrics.ProcessorMetrics;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "processor", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The stream processor: reads ww.packets from every sensor, keeps each flow's state per vantage, "
                + "runs the detectors and writes ww.flows and ww.alerts. Exactly-once: a restart (or a crash) neither "
                + "loses nor repeats an alert; it resumes from its state directory and the committed offsets.",
                "Scale out by starting more with the same --application-id, each with its own --state-dir (and --instance-id when they share a host name and state directory name); they share the partitions. Undecodable records are skipped, counted and "
                        + "copied to ww.deadletter.",
                "", "Example: wirewatch processor --bootstrap-servers kafka:9092 --topology topology.yaml"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped", "1:unexpected error", "2:bad usage, bad file or bad config"})
public final class ProcessorCommand implements Callable<Integer> {
    /**
     * How often Micrometer looks for Kafka metrics born since the last look. Kafka creates some only later (the
     * consumer's records-lag per partition, at its first fetch); Micrometer's default, a minute, kept a new
     * processor's lag off /metrics for its first minute.
     */
    private static final Duration KAFKA_METRICS_DISCOVERY = Duration.ofSeconds(5);

    @Option(names = "--topology", paramLabel = "FILE", description = "topology.yaml: hosts, interfaces, addresses, what each sensor captures.")
    Path topology;

    @Mixin
    DetectorConfigOptions detectorConfig = new DetectorConfigOptions();

    @Option(names = "--application-id", defaultValue = "wirewatch-processor", paramLabel = "ID",
            description = "Kafka Streams application id: consumer group, internal topics, state (default: ${DEFAULT-VALUE}).")
    String applicationId;

    @Option(names = "--state-dir", defaultValue = "wirewatch-state", paramLabel = "DIR",
            description = "Where flow state lives between restarts (default: ${DEFAULT-VALUE} in the working directory).")
    Path stateDir;

    @Option(names = "--from-now",
            description = "A new --application-id starts at the current end of ww.packets, ww.l2 and ww.sensors instead of their oldest record: it judges only what sensors send from now on. A restart of an existing one resumes where it stopped either way.")
    boolean fromNow;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "N", description = "Stream threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--standby-replicas", defaultValue = "" + ProcessorService.DEFAULT_STANDBY_REPLICAS, paramLabel = "N",
            description = "Warm copies of each task's flow state kept on other instances of this --application-id, so the survivors of an instance that dies take over its tasks without restoring them from Kafka first (num.standby.replicas; default: ${DEFAULT-VALUE}; a processor running alone keeps none).")
    int standbyReplicas;

    @Option(names = "--http-port", paramLabel = "PORT",
            description = "Serve /metrics (Prometheus: wirewatch_* alerts, dead letters, flows, timers pending, state size, stream time lag; Kafka Streams' own metrics, records processed, lag, commit latency) and /health (200 while running, else 503 with the state).")
    Integer httpPort;

    @Option(names = "--instance-id", paramLabel = "ID",
            description = "This instance's static member id in the consumer group, so that a restart (even after kill -9) takes its partitions back at once instead of after a rebalance (default: the host name and the state directory).")
    String instanceId;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Override
    public Integer call() throws Exception {
        Optional<ProcessorConfig> loaded = detectorConfig.loadUnlessPrinted(System.out);
        if (loaded.isEmpty()) {
            return 0;
        }
        ProcessorConfig processorConfig = loaded.get();
        if (!kafka.external()) {
            throw new UsageException("--bootstrap-servers is required: the processor reads the sensors' Kafka cluster");
        }
        if (threads < 1) {
            throw new UsageException("--threads must be at least 1, was " + threads);
        }
        if (standbyReplicas < 0) {
            throw new UsageException("--standby-replicas must be 0 or more, was " + standbyReplicas);
        }
        NetworkTopology network = NetworkTopology.load(topology);
        // /health answers from the start: 503 with the reason while Kafka is away, then the streams' state
        AtomicReference<Supplier<Optional<String>>> health =
                new AtomicReference<>(() -> Optional.of("connecting to Kafka"));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ServiceEndpoint http = null;
        if (httpPort != null) {
            http = ServiceEndpoint.start(httpPort, registry, () -> health.get().get());
            System.err.printf("processor: /metrics and /health on port %d%n", http.port());
        }
        Map<String, Object> clientConfig = kafka.awaitClientConfig("processor", waiting -> health.set(() -> waiting.or(() -> Optional.of("starting"))));
        health.set(() -> Optional.of("creating topics and starting"));
        clientConfig.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
        clientConfig.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, standbyReplicas);
        StaticMembership.configure(clientConfig, instanceId, stateDir);
        int partitions;
        try (Admin admin = Admin.create(clientConfig)) {
            partitions = TopicSetup.ensureForProcessor(admin, applicationId);
            ClusterSizing.of(admin).streamsConfigs().forEach(clientConfig::putIfAbsent); // changelogs replicated alike
            if (fromNow && GroupStart.atCurrentEnd(admin, clientConfig, applicationId)) {
                System.err.printf("processor %s: new, starting at the current end of the sensors' topics%n", applicationId);
            }
        }
        KafkaStreams streams = ProcessorService.create(clientConfig, applicationId, stateDir, network, processorConfig,
                partitions, StreamTopics.LIVE, new ProcessorMetrics(registry));
        bindStreamsMetrics(streams, registry);
        health.set(() -> streams.state().isRunningOrRebalancing()
                ? Optional.empty() : Optional.of("Kafka Streams is " + streams.state()));
        CountDownLatch stopped = new CountDownLatch(1);
        streams.setStateListener((now, before) -> {
            System.err.printf("processor: %s -> %s%n", before, now);
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                stopped.countDown();
            }
        });
        ServiceEndpoint endpoint = http;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            streams.close(Duration.ofSeconds(30));
            if (endpoint != null) {
                endpoint.close();
            }
            stopped.countDown();
        }, "wirewatch-processor-stop"));
        streams.start();
        System.err.printf("processor %s: %d partitions of %s, state in %s; Ctrl-C to stop%n", applicationId, partitions,
                Topics.PACKETS, stateDir.toAbsolutePath());
        stopped.await();
        return streams.state() == KafkaStreams.State.ERROR ? 1 : 0;
    }

    /** Kafka's metrics of the streams on /metrics, looked for every {@link #KAFKA_METRICS_DISCOVERY}. */
    static void bindStreamsMetrics(KafkaStreams streams, MeterRegistry registry) {
        new KafkaStreamsMetrics(streams, List.of(), Executors.newSingleThreadScheduledExecutor(ProcessorCommand::daemon),
                KAFKA_METRICS_DISCOVERY).bindTo(registry);
    }

    private static Thread daemon(Runnable task) {
        Thread thread = new Thread(task, "wirewatch-kafka-metrics");
        thread.setDaemon(true);
        return thread;
    }
}
