package dev.wirewatch.processor.detect;

import dev.wirewatch.processor.alert.AlertIds;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.flow.SensorLiveness;
import dev.wirewatch.processor.health.SensorHealthDetector;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Evidence;
import dev.wirewatch.record.SensorStatus;
import dev.wirewatch.schemas.Times;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * SENSOR_DEGRADED: a sensor whose view cannot be trusted for a while, so absence at its host is weak evidence.
 * From the counters of consecutive SensorStatus records ({@link #onStatus}): packets lost in capture (libpcap's kernel
 * buffer or the interface), an interface whose capture is down, records lost in the sensor's own queue, Kafka not
 * acknowledging. From its ticks
 * ({@link #silent}): it stopped ticking while the other sensors' capture time moved on. Each sensor and reason is
 * reported once per {@code sensor-degraded-repeat} window; a silence once per episode.
 */
public final class SensorDegradedDetector implements SensorHealthDetector {
    public static final String TYPE = "SENSOR_DEGRADED";
    public static final String REPORTED_STORE = "sensor-degraded-reported";

    /** The {@code reason} field. */
    public enum Reason { CAPTURE_DROPS, CAPTURE_DOWN, QUEUE_DROPS, KAFKA_UNREACHABLE, SILENT }

    private final ProcessorConfig config;
    private ReportedOnce reported;

    public SensorDegradedDetector(ProcessorConfig config) {
        this.config = config;
    }

    @Override
    public Set<String> types() {
        return Set.of(TYPE);
    }

    @Override
    public List<StoreBuilder<?>> stores() {
        return List.of(ReportedOnce.store(REPORTED_STORE));
    }

    @Override
    public void init(ProcessorContext<?, ?> context) {
        this.reported = ReportedOnce.open(context, REPORTED_STORE, config.sensorDegradedRepeatMicros());
    }

    /**
     * A sensor's new status against its previous one: its counters count from the sensor's start, so a counter that
     * went down means a restart, and the new values are the change. A sensor's first status is only a baseline:
     * ww.sensors is compacted, and a new processor reads each sensor's last status, however old, first.
     */
    @Override
    public List<Alert> onStatus(SensorStatus before, SensorStatus now) {
        if (before == null) {
            return List.of();
        }
        boolean restarted = now.getPacketsCaptured() < before.getPacketsCaptured()
                || now.getPcapDropped() < before.getPcapDropped() || now.getQueueDropped() < before.getQueueDropped();
        long since = restarted ? Long.MIN_VALUE : before.getTsMicros();
        long captured = now.getPacketsCaptured() - (restarted ? 0 : before.getPacketsCaptured());
        long pcapDropped = now.getPcapDropped() - (restarted ? 0 : before.getPcapDropped());
        long ifDropped = Math.max(0, now.getIfDropped() - (restarted ? 0 : before.getIfDropped()));
        long queueDropped = now.getQueueDropped() - (restarted ? 0 : before.getQueueDropped());
        List<Alert> alerts = new ArrayList<>();
        String host = now.getHost();
        String period = since == Long.MIN_VALUE ? "since it started" : "between " + Times.iso(since) + " and "
                + Times.iso(now.getTsMicros());
        if (pcapDropped + ifDropped > 0) {
            double share = 100.0 * (pcapDropped + ifDropped) / Math.max(1, captured + pcapDropped + ifDropped);
            report(alerts, now, since, Reason.CAPTURE_DROPS, pcapDropped + ifDropped,
                    String.format("%s's sensor lost %,d packets in capture %s (%.1f %% of what reached it): libpcap "
                                    + "dropped %,d because its kernel buffer was full, the interface %,d. Flows of that "
                                    + "time may look incomplete from %s, and absence there is no proof.", host,
                            pcapDropped + ifDropped, period, share, pcapDropped, ifDropped, host),
                    "Give the capture more room and less to do: a larger `--buffer-size` (e.g. 67108864), a narrower "
                            + "`--filter`, `--mode control`; check the sensor host's CPU (`top`) and the NIC's ring "
                            + "buffer (`ethtool -g IFACE`, raise with `ethtool -G IFACE rx 4096`).");
        }
        if (!now.getNotCapturing().isEmpty()) {
            String down = String.join(", ", now.getNotCapturing());
            report(alerts, now, since, Reason.CAPTURE_DOWN, now.getNotCapturing().size(),
                    String.format("%s's sensor was not capturing %s at %s (%s): it reopens the capture when the "
                                    + "interface returns; meanwhile %s is blind there, and its ticks say so, so no "
                                    + "alert takes its silence for absence.", host, down, Times.iso(now.getTsMicros()),
                            now.getReason() == null ? "its capture stopped" : now.getReason(), host),
                    String.format("On %s, check the interface (`ip link show %s`): deleted, renamed or re-created "
                            + "(a container's veth), or a failure in the sensor's log.", host, down));
        }
        if (queueDropped > 0) {
            report(alerts, now, since, Reason.QUEUE_DROPS, queueDropped,
                    String.format("%s's sensor dropped %,d records %s: Kafka did not take them as fast as they came "
                            + "and its queue was full, so the processor never saw them.", host, queueDropped, period),
                    "Check the path to the brokers and their load (the sensor's /metrics shows "
                            + "`wirewatch_sensor_producer_last_ack_seconds` and `wirewatch_sensor_queue_bytes`); give the sensor a larger "
                            + "`--queue-bytes` to ride out longer outages.");
        }
        if (now.getKafkaUnacknowledgedMs() > 0) {
            report(alerts, now, since, Reason.KAFKA_UNREACHABLE, 1,
                    String.format("%s's sensor had waited %,d s for Kafka to acknowledge its records at %s; it kept "
                                    + "capturing into its queue, and what the queue could not hold is lost.", host,
                            now.getKafkaUnacknowledgedMs() / 1000, Times.iso(now.getTsMicros())),
                    "Check that the sensor reaches the bootstrap servers (firewall, DNS), that the TLS and SASL "
                            + "settings in its `--kafka-config` are right, and the brokers' logs for rejected clients.");
        }
        return alerts;
    }

    private void report(List<Alert> alerts, SensorStatus now, long since, Reason reason, long count, String summary,
                        String hint) {
        if (!reported.firstInWindow(now.getHost() + "|" + reason, now.getTsMicros())) {
            return;
        }
        long window = ReportedOnce.windowStart(now.getTsMicros(), config.sensorDegradedRepeatMicros());
        String line = String.format("status: captured %,d, libpcap dropped %,d, interface dropped %,d, queue dropped "
                        + "%,d%s", now.getPacketsCaptured(), now.getPcapDropped(), now.getIfDropped(),
                now.getQueueDropped(), now.getReason() == null ? "" : "; " + now.getReason());
        alerts.add(builder(now.getHost(), reason, window)
                .setFirstSeenMicros(since == Long.MIN_VALUE ? now.getTsMicros() : since)
                .setLastSeenMicros(now.getTsMicros())
                .setCount(count)
                .setSummary(summary)
                .setHint(hint)
                .setEvidence(List.of(Evidence.newBuilder().setHost(now.getHost())
                        .setIface(String.join(",", now.getCaptured())).setTsMicros(now.getTsMicros()).setLine(line)
                        .build()))
                .build());
    }

    /**
     * A sensor that ticked, has not ended its input nor announced a planned stop, and whose last tick is more than {@code sensor-silence} behind
     * {@code nowMicros} — the capture time the other sensors have reached.
     */
    @Override
    public Optional<Alert> silent(String host, SensorLiveness liveness, long nowMicros) {
        if (liveness.ended() || liveness.stopped() || liveness == SensorLiveness.NEVER_SEEN
                || nowMicros - liveness.lastTickMicros() <= config.sensorSilenceMicros()) {
            return Optional.empty();
        }
        long last = liveness.lastTickMicros();
        return Optional.of(builder(host, Reason.SILENT, last)
                .setFirstSeenMicros(last)
                .setLastSeenMicros(nowMicros)
                .setCount(1)
                .setSummary(String.format("%s's sensor has sent nothing since %s, %,d s ago in capture time while the "
                                + "other sensors went on: %s is not monitored, and its silence says nothing about "
                                + "its traffic.", host, Times.iso(last), (nowMicros - last) / 1_000_000, host))
                .setHint(String.format("On %s, check that the sensor runs (`systemctl status wirewatch-sensor`, its log), "
                        + "that it reaches Kafka (its /metrics), and that the host is up.", host))
                .build());
    }

    private Alert.Builder builder(String host, Reason reason, long windowMicros) {
        return Alert.newBuilder()
                .setId(AlertIds.of(TYPE, windowMicros, host, reason.name()))
                .setType(TYPE)
                .setSeverity(config.severity(TYPE))
                .setHost(host)
                .setReason(reason.name())
                .setObservedBy(List.of(host));
    }
}
