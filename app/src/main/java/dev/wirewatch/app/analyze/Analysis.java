package dev.wirewatch.app.analyze;

import dev.wirewatch.app.kafka.GroupStart;
import dev.wirewatch.app.kafka.TopicReads;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.processor.StreamTopics;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.sensor.CaptureMerge;
import dev.wirewatch.sensor.FileEventSource;
import dev.wirewatch.sensor.emit.EmissionMode;
import dev.wirewatch.sensor.emit.RecordPublisher;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The offline two-sided comparison, through real Kafka: each capture is replayed by a sensor as its host,
 * merged by capture time, into ww.packets; a processor with a fresh application id judges it; the alerts it
 * wrote are read back from ww.alerts once the processor has marked the end of the input as judged. On a shared
 * cluster all of these are the run's own topics ({@link RunTopics}), never the ones live services use.
 */
public final class Analysis {
    private final Map<String, Object> clientConfig;
    private final EmissionMode mode;
    private final PrintStream progress;
    private final RunTopics topics;

    /**
     * @param clientConfig Kafka client properties including bootstrap.servers
     * @param mode         what the replaying sensors ship, as a live sensor in that mode would
     */
    public Analysis(Map<String, Object> clientConfig, EmissionMode mode, PrintStream progress) {
        this(clientConfig, mode, progress, RunTopics.OWN_BROKER);
    }

    /** @param topics where the run's records, state and alerts live (its own topics on a shared cluster) */
    public Analysis(Map<String, Object> clientConfig, EmissionMode mode, PrintStream progress, RunTopics topics) {
        this.clientConfig = clientConfig;
        this.mode = mode;
        this.progress = progress;
        this.topics = topics;
    }

    /**
     * What an analysis found, and where its time went.
     *
     * @param records      records read from the captures (packets and ARP)
     * @param inputRecords records the sensors wrote to the processor's input topics (packets or batches, summaries,
     *                     ARP, ticks to every partition): what the processor had to read
     * @param flowStateBytes average size of a flow's state as its store changelogged it (measured with replayFirst
     *                       only: it reads the whole changelog; NaN otherwise)
     */
    public record Outcome(List<Alert> alerts, long records, long inputRecords, double replaySeconds,
                          double judgeSeconds, double flowStateBytes) {}

    public List<Alert> run(List<CaptureInput> captures, NetworkTopology network, ProcessorConfig config) {
        return run(captures, network, config, false).alerts();
    }

    /**
     * @param replayFirst replay every capture before the processor starts (to time the processor alone, and measure its
     *                    flow store), instead of the processor judging while the sensors replay
     */
    public Outcome run(List<CaptureInput> captures, NetworkTopology network, ProcessorConfig config,
                       boolean replayFirst) {
        String applicationId = topics.newApplicationId();
        StreamTopics streamTopics = StreamTopics.withPrefix(topics.prefix());
        try (RunCleanup cleanup = new RunCleanup(clientConfig, topics, progress)) {
            int partitions;
            try (Admin admin = Admin.create(clientConfig)) {
                partitions = TopicSetup.ensureForProcessor(admin, topics.prefix(), applicationId);
                GroupStart.atCurrentEnd(admin, clientConfig, applicationId, streamTopics.inputs());
            }
            Map<TopicPartition, Long> alertsBefore;
            long inputBefore;
            try (KafkaConsumer<byte[], byte[]> alerts = TopicReads.consumer(clientConfig)) {
                alertsBefore = TopicReads.endOffsets(alerts, streamTopics.alerts());
                inputBefore = inputRecords(alerts, streamTopics);
            }
            try (ProcessorRun processor = cleanup.using(new ProcessorRun(clientConfig, applicationId, partitions,
                    streamTopics, network, config, progress))) {
                if (!replayFirst) {
                    processor.start();
                }
                long started = System.nanoTime();
                long records = replay(captures, network, cleanup);
                double replaySeconds = (System.nanoTime() - started) / 1e9;
                progress.printf("analyze: replayed %,d records from %d capture%s in %.1f s; waiting for the processor%n",
                        records, captures.size(), captures.size() == 1 ? "" : "s", replaySeconds);
                long judging = System.nanoTime();
                if (replayFirst) {
                    processor.start();
                }
                processor.awaitJudged();
                double judgeSeconds = (System.nanoTime() - judging) / 1e9;
                long input;
                try (KafkaConsumer<byte[], byte[]> consumer = TopicReads.consumer(clientConfig)) {
                    input = inputRecords(consumer, streamTopics) - inputBefore;
                }
                List<Alert> alerts = processor.alerts(alertsBefore);
                double flowStateBytes = replayFirst ? processor.flowStoreWrites().averageBytes() : Double.NaN;
                cleanup.released(processor);
                return new Outcome(alerts, records, input, replaySeconds, judgeSeconds, flowStateBytes);
            }
        }
    }

    /** Records in the processor's input topics now (sensors write them without transactions: no markers). */
    private static long inputRecords(KafkaConsumer<byte[], byte[]> consumer, StreamTopics topics) {
        return topics.inputs().stream()
                .mapToLong(topic -> TopicReads.endOffsets(consumer, topic).values().stream().mapToLong(Long::longValue).sum())
                .sum();
    }

    // On a shared cluster (and in the demo, case after case) ww.packets, ww.l2 and ww.sensors hold history: the new
    // application judges only what this analysis sends, so it starts at their current end (GroupStart).

    private long replay(List<CaptureInput> captures, NetworkTopology network, RunCleanup cleanup) {
        List<CaptureMerge.NamedSource> sources = new ArrayList<>();
        try (RecordPublisher publisher = cleanup.using(new RecordPublisher(clientConfig, network.nat(), topics.prefix()))) {
            for (CaptureInput capture : captures) {
                sources.add(new CaptureMerge.NamedSource(capture.host(),
                        new FileEventSource(capture.file(), capture.host(), interfaceOf(capture, network))));
            }
            long started = System.nanoTime();
            CaptureMerge.Totals totals = CaptureMerge.replay(sources, publisher, mode, count -> progress.printf(
                    "analyze: %,d records replayed (%.0f/s)%n", count, count / ((System.nanoTime() - started) / 1e9)));
            publisher.flush();
            cleanup.released(publisher);
            return totals.records();
        } finally {
            sources.forEach(source -> source.events().close());
        }
    }

    /** docs/commands.md: the interface given, else the pcapng's own name, else the host's first captured interface. */
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
}
