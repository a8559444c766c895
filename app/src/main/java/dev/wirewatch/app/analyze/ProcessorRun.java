package dev.wirewatch.app.analyze;

import dev.wirewatch.app.kafka.TopicReads;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.processor.ProcessorService;
import dev.wirewatch.processor.StreamTopics;
import dev.wirewatch.processor.TopologyFactory;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.flow.FlowProcessor;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.schemas.AvroSerde;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;

/**
 * A processor application over a finite input (a replayed capture, a stretch of history): it runs under its own
 * application id and temporary state, is waited for until every partition has judged the input to its end, and
 * leaves no internal topics or state behind.
 */
final class ProcessorRun implements AutoCloseable {
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(10);

    private final Map<String, Object> clientConfig;
    private final String applicationId;
    private final StreamTopics topics;
    private final Path stateDir;
    private final KafkaStreams streams;
    private final PrintStream progress;

    ProcessorRun(Map<String, Object> clientConfig, String applicationId, int partitions, StreamTopics topics,
                 NetworkTopology network, ProcessorConfig config, PrintStream progress) {
        this.clientConfig = clientConfig;
        this.applicationId = applicationId;
        this.topics = topics;
        this.progress = progress;
        try (Admin admin = Admin.create(clientConfig)) {
            TopicSetup.create(admin, ProcessorService.internalTopics(applicationId, partitions), List.of());
        }
        this.stateDir = temporaryDirectory();
        this.streams = ProcessorService.create(clientConfig, applicationId, stateDir, network, config, partitions, topics);
    }

    void start() {
        streams.start();
    }

    /** Waits until every partition of the service stage has marked the end of the input as judged. */
    void awaitJudged() {
        String topic = TopologyFactory.progressTopic(applicationId);
        int expected;
        try (Admin admin = Admin.create(clientConfig)) {
            expected = TopicSetup.partitionCount(admin, TopologyFactory.serviceStageTopic(applicationId));
        }
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        Set<String> done = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReads.consumer(clientConfig)) {
            List<TopicPartition> progressPartitions = TopicReads.partitions(consumer, topic);
            consumer.assign(progressPartitions);
            consumer.seekToBeginning(progressPartitions);
            while (done.size() < expected) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the processor did not finish within " + DRAIN_TIMEOUT.toMinutes() + " minutes");
                }
                if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                    throw new IllegalStateException("the processor stopped (" + streams.state() + "); see the log above");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() != null) { // the service stage keys each mark by its partition; nothing else counts
                        done.add(new String(record.key(), java.nio.charset.StandardCharsets.UTF_8));
                    }
                }
            }
        }
    }

    /** What the flow store wrote to its changelog: flow states (not deletions) and their bytes. */
    record FlowStoreWrites(long states, long bytes, long deletions) {
        public double averageBytes() {
            return states == 0 ? 0 : bytes / (double) states;
        }
    }

    /** Reads the flow store's changelog: the size of each flow state as the store holds it. */
    FlowStoreWrites flowStoreWrites() {
        long[] counts = new long[3];
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReads.consumer(clientConfig)) {
            String changelog = applicationId + "-" + FlowProcessor.FLOWS_STORE + "-changelog";
            Map<TopicPartition, Long> start = new HashMap<>();
            TopicReads.partitions(consumer, changelog).forEach(partition -> start.put(partition, 0L));
            TopicReads.readToEnd(consumer, start, record -> {
                if (record.value() == null) {
                    counts[2]++;
                } else {
                    counts[0]++;
                    counts[1] += record.value().length;
                }
            });
        }
        return new FlowStoreWrites(counts[0], counts[1], counts[2]);
    }

    /**
     * The findings written to this run's alert topic after {@code from}, each once in its final form (its highest
     * revision; a key's records are in one partition, so of equal revisions the later one), in capture-time order.
     */
    List<Alert> alerts(Map<TopicPartition, Long> from) {
        Map<String, Alert> latest = new HashMap<>();
        long[] skipped = {0};
        var deserializer = AvroSerde.of(Alert.class).deserializer();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReads.consumer(clientConfig)) {
            Map<TopicPartition, Long> start = new HashMap<>();
            TopicReads.partitions(consumer, topics.alerts()).forEach(partition -> start.put(partition, from.getOrDefault(partition, 0L)));
            TopicReads.readToEnd(consumer, start, record -> {
                try {
                    Alert alert = Objects.requireNonNull(deserializer.deserialize(record.topic(), record.value()));
                    latest.merge(alert.getId(), alert,
                            (before, now) -> now.getRevision() >= before.getRevision() ? now : before);
                } catch (RuntimeException notAnAlert) {
                    skipped[0]++; // on a shared ww.alerts anyone may have written anything: the sink dead-letters it
                }
            });
        }
        if (skipped[0] > 0) {
            progress.printf("analyze: %,d record(s) on %s were not alerts; skipped%n", skipped[0], topics.alerts());
        }
        List<Alert> alerts = new ArrayList<>(latest.values());
        alerts.sort(Comparator.comparingLong(Alert::getFirstSeenMicros).thenComparing(Alert::getType)
                .thenComparing(Alert::getId));
        return alerts;
    }

    @Override
    public void close() {
        // Leaving the group empties it, so a run on its own topics can delete it with them (RunCleanup).
        streams.close(CloseOptions.timeout(Duration.ofSeconds(30))
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        streams.cleanUp();
        try {
            Utils.delete(stateDir.toFile());
        } catch (IOException e) {
            // a temp directory left behind is not worth failing the run for
        }
        // Its own topics and the changelogs Kafka Streams made for its stores: all named after the application id.
        try (Admin admin = Admin.create(clientConfig)) {
            List<String> own = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(topic -> topic.startsWith(applicationId + "-")).toList();
            TopicSetup.delete(admin, own);
        } catch (ExecutionException | TimeoutException e) {
            progress.println("could not list the internal topics of " + applicationId + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            progress.println("could not delete internal topics of " + applicationId + ": " + e.getMessage());
        }
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("wirewatch-streams-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
