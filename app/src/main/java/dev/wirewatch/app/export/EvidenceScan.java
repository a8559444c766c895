package dev.wirewatch.app.export;

import dev.wirewatch.app.kafka.TopicReads;
import dev.wirewatch.record.ArpEvent;
import dev.wirewatch.record.FlowActivity;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.AvroSerde;
import dev.wirewatch.schemas.FlowBatches;
import dev.wirewatch.schemas.FlowKey;
import dev.wirewatch.schemas.Topics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * Reads the evidence a query names from ww.packets (and ww.l2): only the flow's partition when the query is one flow
 * (the producer's default partitioner: murmur2 of the key), from the first offset whose record time (capture time,
 * ms) reaches the window's start, as {@code offsetsForTimes} finds it, to the partition's current end. Every record
 * before that offset is older than the window, whatever the order; nothing bounds the far end the same way: captures
 * replayed into a shared cluster put older capture times after newer ones, so stopping at the offset of the window's
 * end would miss them. No consumer group: nothing is committed.
 */
public final class EvidenceScan {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final long PROGRESS_NANOS = 2_000_000_000L;

    private final Map<String, Object> clientConfig;
    private final PrintStream progress;
    private final String topicPrefix;

    public EvidenceScan(Map<String, Object> clientConfig, PrintStream progress) {
        this(clientConfig, progress, "");
    }

    /** @param topicPrefix before the topic names: an analysis's own topics (analyze --topic-prefix) */
    public EvidenceScan(Map<String, Object> clientConfig, PrintStream progress, String topicPrefix) {
        this.clientConfig = clientConfig;
        this.progress = progress;
        this.topicPrefix = topicPrefix;
    }

    /** One captured packet (PacketEvent or ArpEvent) as a vantage saw it. */
    public record Sighting(String host, String iface, long tsMicros, SpecificRecord event) {}

    /**
     * @param sightings the packets found, in no particular order
     * @param activity  FlowActivity records of the subject: data packets a control-mode sensor summarised, not shipped
     * @param scanned   records read
     * @param skipped   records that could not be decoded
     */
    public record Found(List<Sighting> sightings, List<Sighting> activity, long scanned, long skipped) {
        public long summaries() {
            return activity.size();
        }
    }

    public Found read(EvidenceQuery query) {
        List<Sighting> sightings = new ArrayList<>();
        List<Sighting> activity = new ArrayList<>();
        long[] counts = new long[2]; // scanned, skipped
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReads.consumer(clientConfig)) {
            List<TopicPartition> packetPartitions = TopicReads.partitions(consumer, topicPrefix + Topics.PACKETS);
            if (query.flow() != null) {
                packetPartitions = List.of(packetPartitions.get(partitionOf(query.flow().toBytes(), packetPartitions.size())));
            }
            var decoder = AvroSerde.anyRecord().deserializer();
            byte[] flowKey = query.flow() == null ? null : query.flow().toBytes();
            scan(consumer, packetPartitions, query, counts, record -> {
                if (flowKey != null && !Arrays.equals(flowKey, record.key())) {
                    return; // another flow in the same partition: not worth decoding
                }
                SpecificRecord event = decoder.deserialize(record.topic(), record.value());
                FlowKey key = FlowKey.fromBytes(record.key());
                FlowBatches.itemsOf(event).forEach(item -> collect(query, key, item, sightings, activity));
            });
            if (query.arp() != null) {
                scan(consumer, TopicReads.partitions(consumer, topicPrefix + Topics.L2), query, counts, record -> {
                    // ww.l2 also carries VRRP advertisements
                    if (decoder.deserialize(record.topic(), record.value()) instanceof ArpEvent arp
                            && query.inWindow(arp.getTsMicros()) && query.arp().test(arp)) {
                        sightings.add(new Sighting(arp.getHost(), arp.getIface(), arp.getTsMicros(), arp));
                    }
                });
            }
        }
        return new Found(sightings, activity, counts[0], counts[1]);
    }

    /** Keeps a packet of the subject as a sighting, and a summary of the subject's steady traffic as activity. */
    private static void collect(EvidenceQuery query, FlowKey key, SpecificRecord event, List<Sighting> sightings,
                                List<Sighting> activity) {
        if (event instanceof PacketEvent packet && query.inWindow(packet.getTsMicros())
                && query.packets().test(key, packet.getHost(), Addresses.bytes(packet.getSrc()),
                Addresses.bytes(packet.getDst()))) {
            sightings.add(new Sighting(packet.getHost(), packet.getIface(), packet.getTsMicros(), packet));
        } else if (event instanceof FlowActivity summary && query.inWindow(summary.getTsMicros())
                && query.packets().test(key, summary.getHost(), Addresses.bytes(summary.getSrc()),
                Addresses.bytes(summary.getDst()))) {
            activity.add(new Sighting(summary.getHost(), summary.getIface(), summary.getTsMicros(), summary));
        }
    }

    /** Reads each partition from the window's first offset to its current end. */
    private void scan(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions, EvidenceQuery query,
                      long[] counts, Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        Map<TopicPartition, Long> stop = consumer.endOffsets(partitions, TIMEOUT);
        Map<TopicPartition, Long> start = query.fromMicros() == Long.MIN_VALUE
                ? consumer.beginningOffsets(partitions, TIMEOUT) : offsetsAt(consumer, partitions, query.fromMicros(), stop);
        long total = 0;
        List<TopicPartition> pending = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            if (start.get(partition) < stop.get(partition)) {
                pending.add(partition);
                total += stop.get(partition) - start.get(partition);
            }
        }
        consumer.assign(pending);
        pending.forEach(partition -> consumer.seek(partition, start.get(partition)));
        String topic = partitions.isEmpty() ? "" : partitions.get(0).topic();
        long read = 0;
        long lastReport = System.nanoTime();
        while (!pending.isEmpty()) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                if (record.offset() >= stop.get(partition)) {
                    continue;
                }
                read++;
                counts[0]++;
                if (record.value() == null) {
                    counts[1]++; // a tombstone: no evidence in it
                    continue;
                }
                try {
                    handler.accept(record);
                } catch (RuntimeException undecodable) {
                    counts[1]++; // the processor sends these to ww.deadletter; here they are only counted
                }
            }
            pending.removeIf(partition -> consumer.position(partition, TIMEOUT) >= stop.get(partition));
            consumer.pause(consumer.assignment().stream().filter(partition -> !pending.contains(partition)).toList());
            if (System.nanoTime() - lastReport > PROGRESS_NANOS) {
                progress.printf("export: %,d of %,d records of %s read%n", read, total, topic);
                lastReport = System.nanoTime();
            }
        }
        consumer.unsubscribe();
    }

    /** The first offset at or after a capture time (record time is capture time in ms), at most the (committed) end. */
    private static Map<TopicPartition, Long> offsetsAt(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions,
                                                       long micros, Map<TopicPartition, Long> end) {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(partition -> query.put(partition, Math.max(0, Math.floorDiv(micros, 1000))));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, TIMEOUT);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        partitions.forEach(partition -> offsets.put(partition,
                found.get(partition) == null ? end.get(partition)
                        : Math.min(found.get(partition).offset(), end.get(partition))));
        return offsets;
    }

    /** The partition Kafka's default partitioner gives a keyed record. */
    static int partitionOf(byte[] key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }
}
