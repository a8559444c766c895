package dev.wirewatch.app.status;

import dev.wirewatch.app.kafka.GroupLag;
import dev.wirewatch.app.kafka.TopicReads;
import dev.wirewatch.processor.TopologyFactory;
import dev.wirewatch.record.SensorStatus;
import dev.wirewatch.record.Tick;
import dev.wirewatch.record.UndeliveredAlert;
import dev.wirewatch.schemas.RecordCodec;
import dev.wirewatch.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * What an operator asks first, read from Kafka alone: each sensor's last status on ww.sensors (and its last tick on
 * ww.packets), how far the processor's consumer group is behind, and the sink's backlog and given-up deliveries.
 */
public final class ClusterStatus {
    /** How far back ww.packets is searched for ticks (sensors tick every second). */
    public static final Duration TICK_WINDOW = Duration.ofMinutes(2);

    /** One sensor as its statuses and ticks show it. */
    public record Sensor(String sensorId, String host, String state, String reason, List<String> interfaces,
                         List<String> notCapturing, Instant lastStatus, Instant lastTick, Double packetsPerSecond, Double recordsPerSecond,
                         long captureDrops, long kafkaUnacknowledgedMs) {}

    public record Processor(String applicationId, Map<String, GroupLag.TopicLag> lag) {}

    public record Sink(String groupId, Map<String, GroupLag.TopicLag> lag, Map<String, Integer> undeliveredLastHour) {}

    public record Report(List<Sensor> sensors, Processor processor, Sink sink) {}

    private final Map<String, Object> clientConfig;
    private final Instant now;
    private final Duration staleAfter;

    /** @param staleAfter a sensor with no status for this long is reported silent (sensors report every 10 s) */
    public ClusterStatus(Map<String, Object> clientConfig, Instant now, Duration staleAfter) {
        this.clientConfig = clientConfig;
        this.now = now;
        this.staleAfter = staleAfter;
    }

    public Report read(String applicationId, String sinkGroupId)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<String, List<SensorStatus>> statuses = new TreeMap<>();
        Map<String, Instant> ticks = new HashMap<>();
        Map<String, Integer> undelivered = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReads.consumer(clientConfig)) {
            read(consumer, Topics.SENSORS, 0, record -> {
                if (record instanceof SensorStatus status) {
                    statuses.computeIfAbsent(status.getSensorId(), id -> new ArrayList<>()).add(status);
                }
            });
            lastTicks(consumer, statuses.keySet(), ticks);
            read(consumer, Topics.ALERTS_UNDELIVERED, now.minus(Duration.ofHours(1)).toEpochMilli(), record -> {
                if (record instanceof UndeliveredAlert given) {
                    undelivered.merge(given.getOutput(), 1, Integer::sum);
                }
            });
        }
        List<Sensor> sensors = new ArrayList<>();
        statuses.forEach((id, all) -> sensors.add(sensor(all, ticks.get(all.get(all.size() - 1).getHost()))));
        try (Admin admin = Admin.create(clientConfig)) {
            Processor processor = new Processor(applicationId, GroupLag.of(admin, applicationId, List.of(Topics.PACKETS,
                    Topics.L2, Topics.SENSORS, TopologyFactory.serviceStageTopic(applicationId))));
            Sink sink = new Sink(sinkGroupId, GroupLag.of(admin, sinkGroupId, List.of(Topics.ALERTS)), undelivered);
            return new Report(sensors, processor, sink);
        }
    }

    /** A sensor from its statuses, oldest first (a compacted topic may still hold the one before the last). */
    private Sensor sensor(List<SensorStatus> all, Instant lastTick) {
        all.sort(java.util.Comparator.comparingLong(SensorStatus::getTsMicros));
        SensorStatus last = all.get(all.size() - 1);
        SensorStatus before = all.size() > 1 ? all.get(all.size() - 2) : null;
        Instant at = Instant.EPOCH.plusNanos(last.getTsMicros() * 1000);
        String state;
        String reason = null;
        if (said(last, "stopped")) {
            state = "stopped";
            reason = "stopped as planned";
        } else if (Duration.between(at, now).compareTo(staleAfter) > 0) {
            state = "silent";
            reason = "no status for " + Duration.between(at, now).toSeconds() + " s";
        } else if (last.getDegraded()) {
            state = "degraded";
            reason = last.getReason();
        } else {
            state = "live";
        }
        Double packets = null;
        Double records = null;
        if (before != null && last.getTsMicros() > before.getTsMicros()) {
            double seconds = (last.getTsMicros() - before.getTsMicros()) / 1e6;
            packets = Math.max(0, last.getPacketsCaptured() - before.getPacketsCaptured()) / seconds;
            records = Math.max(0, last.getRecordsEmitted() - before.getRecordsEmitted()) / seconds;
        }
        return new Sensor(last.getSensorId(), last.getHost(), state, reason,
                last.getCaptured().stream().map(CharSequence::toString).toList(), strings(last, "notCapturing"), at, lastTick, packets, records,
                last.getPcapDropped() + last.getIfDropped() + last.getQueueDropped(), last.getKafkaUnacknowledgedMs());
    }

    /** A boolean field a newer sensor may add (so this reads old and new statuses alike). */
    private static boolean said(SpecificRecord record, String field) {
        Schema.Field found = record.getSchema().getField(field);
        return found != null && Boolean.TRUE.equals(record.get(found.pos()));
    }

    /** A list of strings a newer sensor may add (interfaces whose capture is down), else empty. */
    private static List<String> strings(SpecificRecord record, String field) {
        Schema.Field found = record.getSchema().getField(field);
        return found != null && record.get(found.pos()) instanceof List<?> values
                ? values.stream().map(Object::toString).toList() : List.of();
    }

    /** The latest tick of each host in the last minutes: ticks go to every partition, so partition 0 has them all. */
    private void lastTicks(KafkaConsumer<byte[], byte[]> consumer, java.util.Set<String> sensorIds, Map<String, Instant> ticks) {
        Map<TopicPartition, Long> from;
        try {
            from = TopicReads.offsetsAt(consumer, Topics.PACKETS, now.minus(TICK_WINDOW).toEpochMilli());
        } catch (UnknownTopicOrPartitionException absent) {
            return;
        }
        List<TopicPartition> partitions = TopicReads.partitions(consumer, Topics.PACKETS);
        from.keySet().retainAll(List.of(partitions.get(0)));
        TopicReads.readToEnd(consumer, from, record -> {
            // Only records keyed by a host name can be ticks: packets are keyed by flow, and left undecoded.
            if (record.key() == null || !sensorIds.contains(new String(record.key(), StandardCharsets.UTF_8))) {
                return;
            }
            if (decode(record.value()) instanceof Tick tick && !tick.getEndOfInput()) {
                ticks.merge(tick.getHost(), Instant.EPOCH.plusNanos(tick.getTsMicros() * 1000),
                        (a, b) -> a.isAfter(b) ? a : b);
            }
        });
    }

    private void read(KafkaConsumer<byte[], byte[]> consumer, String topic, long fromMillis,
                      java.util.function.Consumer<SpecificRecord> action) {
        Map<TopicPartition, Long> from;
        try {
            from = TopicReads.offsetsAt(consumer, topic, fromMillis);
        } catch (UnknownTopicOrPartitionException absent) {
            return; // nothing was ever written there
        }
        TopicReads.readToEnd(consumer, from, record -> {
            SpecificRecord decoded = decode(record.value());
            if (decoded != null) {
                action.accept(decoded);
            }
        });
    }

    /** A record, or null for a tombstone or anything not wirewatch's: status must read every topic whatever it holds. */
    private static SpecificRecord decode(byte[] value) {
        try {
            return value == null ? null : RecordCodec.shared().decode(value);
        } catch (KafkaException | IllegalArgumentException unreadable) {
            return null;
        }
    }
}
