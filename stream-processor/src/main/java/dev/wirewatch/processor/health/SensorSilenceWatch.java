package dev.wirewatch.processor.health;

import dev.wirewatch.processor.flow.FlowProcessor;
import dev.wirewatch.processor.flow.SensorLiveness;
import dev.wirewatch.processor.flow.SensorTicks;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the sensors' ticks, which the flow stage records and passes on, for a sensor that falls silent while the
 * others' capture time moves on (SENSOR_DEGRADED, reason SILENT), and for sensors and topology hosts that do not
 * match (SENSOR_NOT_IN_TOPOLOGY, HOST_NOT_MONITORED; each once, also in the log). Ticks reach every partition, so each partition
 * judges only the sensors whose name hashes to it — the partition ww.sensors keeps that sensor's status in — and a
 * silence is reported once, when the sensor goes from live to silent (a sensor that keeps ticking behind the others,
 * a clock running slow, is one episode, not an alert per tick). Stream time, not the wall clock, so that a replay says what the live run said.
 */
public final class SensorSilenceWatch implements Processor<Object, SpecificRecord, String, Alert> {
    public static final String REPORTED_STORE = "sensor-silence-reported";
    public static final String TO_ALERTS = "sensor-silence-alerts-out";
    /** Names reported by SENSOR_NOT_IN_TOPOLOGY or HOST_NOT_MONITORED (type|name), so each is reported once. */
    public static final String MISMATCH_STORE = "sensor-topology-reported";
    /** Where the count of those reports shows in /metrics (kafka_stream_wirewatch_sensor_...). */
    public static final String METRICS_GROUP = "stream-wirewatch-sensor-metrics";
    private static final Logger LOG = LoggerFactory.getLogger(SensorSilenceWatch.class);

    private final List<SensorHealthDetector> detectors;
    private final NetworkTopology network;
    private final int partitions;
    private ProcessorContext<String, Alert> context;
    private SensorTicks sensors;
    private KeyValueStore<String, Long> reported;
    private KeyValueStore<String, Long> mismatches;
    private long judgedUntilMicros = Long.MIN_VALUE;
    /** The stream time of the first judgement since this task started: the grace for HOST_NOT_MONITORED runs from it. */
    private long startedMicros = Long.MIN_VALUE;
    /** The flow stage's clock, from the ticks it passes on (-1: none yet). */
    private long packetTimeMs = -1;
    private final Map<String, Sensor> mismatchCounts = new HashMap<>();

    /** @param detectors the registry's sensor health detectors, in the order they are asked */
    public SensorSilenceWatch(NetworkTopology network, List<SensorHealthDetector> detectors, int partitions) {
        this.detectors = detectors;
        this.network = network;
        this.partitions = partitions;
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.sensors = new SensorTicks(context.getStateStore(FlowProcessor.SENSORS_STORE));
        this.reported = context.getStateStore(REPORTED_STORE);
        this.mismatches = context.getStateStore(MISMATCH_STORE);
        this.packetTimeMs = sensors.resumeClockMs();
        // judged by the flow stage's clock (ww.packets only), not the task's stream time, which ww.l2 moves too
        context.schedule(Duration.ofSeconds(1), PunctuationType.STREAM_TIME, streamTimeMs -> judge(packetTimeMs));
    }

    @Override
    public void process(Record<Object, SpecificRecord> tick) {
        // The liveness is in the shared store already; the punctuator judges it once per second of stream time.
        packetTimeMs = Math.max(packetTimeMs, tick.timestamp());
    }

    /**
     * Judges against the stream time of the previous punctuation, not this one: stream time can jump (a replay
     * across a quiet minute), and the first sensor's tick after the jump moves it before the others have ticked.
     * By the next punctuation every live sensor has ticked past the jump.
     */
    private void judge(long streamTimeMs) {
        if (streamTimeMs < 0) {
            return;
        }
        long now = judgedUntilMicros;
        judgedUntilMicros = streamTimeMs * 1000;
        if (now == Long.MIN_VALUE) {
            return;
        }
        if (startedMicros == Long.MIN_VALUE) {
            startedMicros = now;
        }
        Map<String, SensorLiveness> all = sensors.all();
        all.forEach((sensor, liveness) -> {
            if (judgedHere(sensor)) {
                detectors.forEach(detector -> reportOnce(detector.unknownSensor(sensor, liveness, all.keySet()), now));
            }
        });
        network.hosts().keySet().stream().filter(this::judgedHere).forEach(host -> detectors.forEach(detector ->
                reportOnce(detector.unmonitoredHost(host, sensors.liveness(host), startedMicros, now, all.keySet()), now)));
        all.forEach((host, liveness) -> {
            if (!judgedHere(host)) {
                return;
            }
            // one silence episode per sensor, whichever detector calls it
            Optional<Alert> silent = detectors.stream().flatMap(detector -> detector.silent(host, liveness, now).stream())
                    .findFirst();
            if (silent.isEmpty()) {
                reported.delete(host); // live again: a later silence is a new episode
            } else if (reported.get(host) == null) {
                reported.put(host, liveness.lastTickMicros());
                context.forward(new Record<>(silent.get().getId(), silent.get(), now / 1000), TO_ALERTS);
            }
        });
    }

    private void reportOnce(Optional<Alert> alert, long nowMicros) {
        if (alert.isEmpty()) {
            return;
        }
        String key = alert.get().getType() + "|" + alert.get().getHost();
        if (mismatches.get(key) == null) {
            mismatches.put(key, nowMicros);
            LOG.warn("{}: {} {}", alert.get().getType(), alert.get().getSummary(), alert.get().getHint());
            mismatchCount(alert.get().getType()).record();
            context.forward(new Record<>(alert.get().getId(), alert.get(), nowMicros / 1000), TO_ALERTS);
        }
    }

    private Sensor mismatchCount(String type) {
        return mismatchCounts.computeIfAbsent(type, key -> {
            String task = context.taskId().toString();
            Sensor sensor = context.metrics().addSensor("wirewatch-" + type + "-" + task, Sensor.RecordingLevel.INFO);
            sensor.add(new MetricName("sensor-topology-mismatches-total", METRICS_GROUP, "sensors the topology lacks "
                    + "and topology hosts without a sensor, reported", Map.of("alert-type", type, "task-id", task)),
                    new CumulativeCount());
            return sensor;
        });
    }

    @Override
    public void close() {
        mismatchCounts.values().forEach(sensor -> context.metrics().removeSensor(sensor));
    }

    /** The sensor's name hashes to this partition, as its ww.sensors key does with Kafka's default partitioner. */
    private boolean judgedHere(String host) {
        return Utils.toPositive(Utils.murmur2(host.getBytes(StandardCharsets.UTF_8))) % partitions
                == context.taskId().partition();
    }
}
