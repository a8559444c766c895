package dev.wirewatch.app.analyze;

import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.processor.ProcessorService;
import dev.wirewatch.processor.TopologyFactory;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.schemas.AvroSerde;
import dev.wirewatch.schemas.Topics;
import dev.wirewatch.sensor.CaptureMerge;
import dev.wirewatch.sensor.FileEventSource;
import dev.wirewatch.sensor.emit.EmissionMode;
import dev.wirewatch.sensor.emit.RecordPublisher;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The offline two-sided comparison, through real Kafka: each capture is replayed by a sensor as its host,
 * merged by capture time, into ww.packets; a processor with a fresh application id judges it; the alerts it
 * wrote are read back from ww.alerts once the processor has marked the end of the input as judged.
 */
public final class Analysis {
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(10);

    private final Map<String, Object> clientConfig;
    private final EmissionMode mode;
    private final PrintStream progress;

    /**
     * @param clientConfig Kafka client properties including bootstrap.servers
     * @param mode         what the replaying sensors ship, as a live sensor in that mode would
     */
    public Analysis(Map<String, Object> clientConfig, EmissionMode mode, PrintStream progress) {
        this.clientConfig = clientConfig;
        this.mode = mode;
        this.progress = progress;
    }

    /** What an analysis found, and where its time went. */
    public record Outcome(List<Alert> alerts, long records, double replaySeconds, double judgeSeconds) {}

    public List<Alert> run(List<CaptureInput> captures, NetworkTopology network, ProcessorConfig config) {
        return run(captures, network, config, false).alerts();
    }

    /**
     * @param replayFirst replay every capture before the processor starts (to time the processor alone), instead of
     *                    the processor judging while the sensors replay
     */
    public Outcome run(List<CaptureInput> captures, NetworkTopology network, ProcessorConfig config,
                       boolean replayFirst) {
        String applicationId = "wirewatch-analyze-" + UUID.randomUUID().toString().substring(0, 8);
        Path stateDir = temporaryDirectory();
        int partitions;
        Map<TopicPartition, Long> alertsBefore;
        try (Admin admin = Admin.create(clientConfig)) {
            partitions = TopicSetup.ensureForProcessor(admin, applicationId);
            startAtCurrentEnd(admin, applicationId);
        }
        try (KafkaConsumer<String, byte[]> alerts = consumer()) {
            alertsBefore = endOffsets(alerts, Topics.ALERTS);
        }
        KafkaStreams streams = ProcessorService.create(clientConfig, applicationId, stateDir, network, config, partitions);
        try {
            if (!replayFirst) {
                streams.start();
            }
            long started = System.nanoTime();
            long records = replay(captures, network);
            double replaySeconds = (System.nanoTime() - started) / 1e9;
            progress.printf("analyze: replayed %,d records from %d capture%s in %.1f s; waiting for the processor%n",
                    records, captures.size(), captures.size() == 1 ? "" : "s", replaySeconds);
            long judging = System.nanoTime();
            if (replayFirst) {
                streams.start();
            }
            awaitJudged(applicationId, streams);
            return new Outcome(readAlerts(alertsBefore), records, replaySeconds, (System.nanoTime() - judging) / 1e9);
        } finally {
            streams.close(Duration.ofSeconds(30));
            streams.cleanUp();
            deleteQuietly(stateDir);
            try (Admin admin = Admin.create(clientConfig)) {
                TopicSetup.delete(admin, List.copyOf(ProcessorService.internalTopics(applicationId, partitions).keySet()));
            } catch (RuntimeException e) {
                progress.println("analyze: could not delete internal topics of " + applicationId + ": " + e.getMessage());
            }
        }
    }

    /**
     * On a shared cluster (and in the demo, case after case) ww.packets, ww.l2 and ww.sensors hold history: the new application
     * must judge only what this analysis sends, so its consumer group starts at their current end.
     */
    private void startAtCurrentEnd(Admin admin, String applicationId) {
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> start = new HashMap<>();
            for (String input : List.of(Topics.PACKETS, Topics.L2, Topics.SENSORS)) {
                endOffsets(consumer, input).forEach((partition, end) ->
                        start.put(partition, new org.apache.kafka.clients.consumer.OffsetAndMetadata(end)));
            }
            admin.alterConsumerGroupOffsets(applicationId, start).all().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot set the start offsets of " + applicationId + ": " + e.getMessage(), e);
        }
    }

    private long replay(List<CaptureInput> captures, NetworkTopology network) {
        List<CaptureMerge.NamedSource> sources = new ArrayList<>();
        try (RecordPublisher publisher = new RecordPublisher(clientConfig, network.nat())) {
            for (CaptureInput capture : captures) {
                sources.add(new CaptureMerge.NamedSource(capture.host(),
                        new FileEventSource(capture.file(), capture.host(), interfaceOf(capture, network))));
            }
            long started = System.nanoTime();
            CaptureMerge.Totals totals = CaptureMerge.replay(sources, publisher, mode, count -> progress.printf(
                    "analyze: %,d records replayed (%.0f/s)%n", count, count / ((System.nanoTime() - started) / 1e9)));
            publisher.flush();
            return totals.records();
        } finally {
            sources.forEach(source -> source.events().close());
        }
    }

    /** CLI.md: the interface given, else the pcapng's own name, else the host's first captured interface. */
    private static String interfaceOf(CaptureInput capture, NetworkTopology network) {
        if (capture.iface() != null) {
            return capture.iface();
        }
        if (capture.file().toString().endsWith(".pcapng")) {
            return null;
        }
        return network.host(capture.host()).flatMap(host -> host.capture().isEmpty()
                ? host.interfaces().keySet().stream().findFirst() : host.capture().stream().findFirst()).orElse(null);
    }

    /** Waits until every partition of the service detectors has marked the end of the input as judged. */
    private void awaitJudged(String applicationId, KafkaStreams streams) {
        String topic = TopologyFactory.progressTopic(applicationId);
        int expected;
        try (Admin admin = Admin.create(clientConfig)) {
            expected = TopicSetup.partitionCount(admin, TopologyFactory.byServerTopic(applicationId));
        }
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        java.util.Set<String> done = new java.util.HashSet<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (done.size() < expected) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the processor did not finish within " + DRAIN_TIMEOUT.toMinutes() + " minutes");
                }
                if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                    throw new IllegalStateException("the processor stopped (" + streams.state() + "); see the log above");
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    done.add(record.key());
                }
            }
        }
    }

    private List<Alert> readAlerts(Map<TopicPartition, Long> from) {
        List<Alert> alerts = new ArrayList<>();
        var deserializer = AvroSerde.of(Alert.class).deserializer();
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            Map<TopicPartition, Long> until = endOffsets(consumer, Topics.ALERTS);
            consumer.assign(until.keySet());
            until.keySet().forEach(partition -> consumer.seek(partition, from.getOrDefault(partition, 0L)));
            while (until.entrySet().stream().anyMatch(end -> consumer.position(end.getKey()) < end.getValue())) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    alerts.add(deserializer.deserialize(record.topic(), record.value()));
                }
            }
        }
        alerts.sort(Comparator.comparingLong(Alert::getFirstSeenMicros).thenComparing(Alert::getType)
                .thenComparing(Alert::getId));
        return alerts;
    }

    private KafkaConsumer<String, byte[]> consumer() {
        Map<String, Object> properties = new HashMap<>(clientConfig);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        return consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(info -> new TopicPartition(topic, info.partition())).collect(Collectors.toList());
    }

    private static Map<TopicPartition, Long> endOffsets(KafkaConsumer<?, ?> consumer, String topic) {
        return consumer.endOffsets(partitions(consumer, topic), Duration.ofSeconds(30));
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("wirewatch-streams-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path directory) {
        try {
            Utils.delete(directory.toFile());
        } catch (IOException e) {
            // a temp directory left behind is not worth failing the analysis for
        }
    }
}
