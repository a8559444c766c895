package dev.wirewatch.app.analyze;

import dev.wirewatch.app.kafka.TopicReads;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.processor.StreamTopics;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.FlowBatch;
import dev.wirewatch.record.Tick;
import dev.wirewatch.schemas.AvroSerde;
import dev.wirewatch.schemas.Times;
import dev.wirewatch.sensor.emit.RecordPublisher;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Re-runs detection over a stretch of stored history. The records of ww.packets, ww.l2 and ww.sensors whose capture
 * time (record timestamp) lies in [from, to) are copied, partition for partition and in order, to topics of the replay's own, followed
 * by an end-of-input tick from every host seen; a processor with a fresh application id judges that copy into its
 * own alert topic. The live application's group, state and topics are never touched, and the copy has an end, so
 * the replay knows when it is done and the same input gives the same alerts (ids included) as the original run.
 */
public final class HistoryReplay {
    private static final long PROGRESS_EVERY = 200_000;
    /** A sensor's FlowBatch spans at most its flush interval (a second); twice that for slack. */
    private static final long BATCH_SPAN_MILLIS = 2_000;

    private final Map<String, Object> clientConfig;
    private final PrintStream progress;

    public HistoryReplay(Map<String, Object> clientConfig, PrintStream progress) {
        this.clientConfig = clientConfig;
        this.progress = progress;
    }

    /** What a replay found; {@code alertsTopic} is where its alerts stay when kept, else null. */
    public record Outcome(List<Alert> alerts, long records, Set<String> hosts, String alertsTopic) {}

    /**
     * @param fromMillis   first capture time replayed, epoch milliseconds
     * @param toMillis     end of the range (exclusive), epoch milliseconds
     * @param keepAlerts   leave the replay's alert topic on the cluster (for a sink, say) instead of deleting it
     */
    public Outcome run(long fromMillis, long toMillis, NetworkTopology network, ProcessorConfig config, boolean keepAlerts) {
        boolean keep = keepAlerts;
        String applicationId = "wirewatch-replay-" + UUID.randomUUID().toString().substring(0, 8);
        StreamTopics topics = StreamTopics.privateTo(applicationId);
        int partitions;
        try (Admin admin = Admin.create(clientConfig)) {
            TopicSetup.ensure(admin, TopicSetup.FOR_CLUSTER, Map.of());
            partitions = TopicSetup.partitionCount(admin, StreamTopics.LIVE.packets());
            Map<String, Integer> own = new HashMap<>();
            List<String> live = StreamTopics.LIVE.all();
            for (int i = 0; i < live.size(); i++) {
                // Each copy as wide as its source: records keep their partition, and so their key's place.
                own.put(topics.all().get(i), TopicSetup.partitionCount(admin, live.get(i)));
            }
            TopicSetup.create(admin, own, List.of());
        }
        try {
            Copy copy = copyRange(fromMillis, toMillis, topics);
            progress.printf("replay: copied %,d records from %s to %s (hosts: %s)%n", copy.records,
                    Times.iso(fromMillis * 1000), Times.iso(toMillis * 1000), String.join(", ", copy.hosts));
            if (copy.hosts.isEmpty()) {
                keep = false; // nothing judged: no topic worth keeping
                return new Outcome(List.of(), copy.records, copy.hosts, null);
            }
            try (ProcessorRun processor = new ProcessorRun(clientConfig, applicationId, partitions, topics, network,
                    config, progress)) {
                processor.start();
                processor.awaitJudged();
                return new Outcome(processor.alerts(Map.of()), copy.records, copy.hosts, keep ? topics.alerts() : null);
            }
        } finally {
            String kept = keep ? topics.alerts() : null;
            try (Admin admin = Admin.create(clientConfig)) {
                TopicSetup.delete(admin, topics.all().stream().filter(topic -> !topic.equals(kept)).toList());
            } catch (RuntimeException e) {
                progress.println("replay: could not delete the topics of " + applicationId + ": " + e.getMessage());
            }
        }
    }

    private record Copy(long records, Set<String> hosts) {}

    private Copy copyRange(long fromMillis, long toMillis, StreamTopics topics) {
        Map<String, Object> producerConfig = new HashMap<>(clientConfig);
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        Deserializer<SpecificRecord> decoder = AvroSerde.anyRecord().deserializer();
        Set<String> hosts = new TreeSet<>();
        long[] records = {0};
        long[] lastMillis = {fromMillis};
        AtomicReference<Exception> failed = new AtomicReference<>();
        Callback checked = (metadata, error) -> {
            if (error != null) {
                failed.compareAndSet(null, error);
            }
        };
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReads.consumer(clientConfig);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(),
                     new ByteArraySerializer())) {
            List<String> live = StreamTopics.LIVE.inputs();
            for (int input = 0; input < live.size(); input++) {
                String copyTo = topics.inputs().get(input);
                boolean packets = live.get(input).equals(StreamTopics.LIVE.packets());
                // From the first record at or after `from`: every record before it is older. To the current end, not
                // to offsetsForTimes(to): captures replayed into a shared cluster (analyze, the demo) put older
                // capture times after newer ones, so each record's own time decides.
                TopicReads.readToEnd(consumer, TopicReads.offsetsAt(consumer, live.get(input), fromMillis), record -> {
                    if (record.timestamp() < fromMillis || record.timestamp() >= toMillis
                            && !(packets && batchStartsBefore(decoder, record, toMillis))) {
                        return;
                    }
                    producer.send(new ProducerRecord<>(copyTo, record.partition(), record.timestamp(), record.key(),
                            record.value()), checked);
                    lastMillis[0] = Math.max(lastMillis[0], record.timestamp());
                    String host = packets ? tickHost(decoder, record) : null;
                    if (host != null) {
                        hosts.add(host);
                    }
                    if (++records[0] % PROGRESS_EVERY == 0) {
                        progress.printf("replay: %,d records copied, at %s%n", records[0], Times.iso(record.timestamp() * 1000));
                    }
                });
            }
            // Live sensors never end their input; the copy does, so every host says so once all of it is copied.
            for (String host : hosts) {
                RecordPublisher.Outgoing tick = RecordPublisher.tickRecord(host, lastMillis[0] * 1000, true);
                for (int partition = 0; partition < producer.partitionsFor(topics.packets()).size(); partition++) {
                    producer.send(new ProducerRecord<>(topics.packets(), partition, tick.timestampMs(), tick.key(),
                            tick.value()), checked);
                }
            }
            producer.flush();
        }
        if (failed.get() != null) {
            throw new IllegalStateException("replay: could not copy the history: " + failed.get().getMessage(), failed.get());
        }
        return new Copy(records[0], hosts);
    }

    /** The host of a Tick (every sensor ticks every partition); null for anything else, undecodable records included. */
    /**
     * A sensor's FlowBatch carries its last item's time: one that starts inside the range is copied whole, or the
     * in-range packets of a flow that went on past {@code toMillis} would be lost. Batches span at most a flush
     * interval, so only records just past the range are decoded.
     */
    private static boolean batchStartsBefore(Deserializer<SpecificRecord> decoder, ConsumerRecord<byte[], byte[]> record,
                                             long toMillis) {
        if (record.timestamp() >= toMillis + BATCH_SPAN_MILLIS) {
            return false;
        }
        try {
            return decoder.deserialize(record.topic(), record.value()) instanceof FlowBatch batch
                    && batch.getFirstTsMicros() / 1000 < toMillis;
        } catch (RuntimeException undecodable) {
            return false;
        }
    }

    private static String tickHost(Deserializer<SpecificRecord> decoder, ConsumerRecord<byte[], byte[]> record) {
        try {
            return decoder.deserialize(record.topic(), record.value()) instanceof Tick tick ? tick.getHost() : null;
        } catch (RuntimeException e) {
            return null; // the replay's processor counts it and copies it to its dead letters, as the live one did
        }
    }
}
