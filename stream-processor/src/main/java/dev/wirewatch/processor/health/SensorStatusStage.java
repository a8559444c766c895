package dev.wirewatch.processor.health;

import dev.wirewatch.record.Alert;
import dev.wirewatch.record.SensorStatus;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The sensor status stage: each sensor's SensorStatus from ww.sensors (key = sensor id, so one sensor's statuses
 * meet in one task) against the one before it, for SENSOR_DEGRADED from its counters.
 */
public final class SensorStatusStage implements Processor<Object, SpecificRecord, String, Alert> {
    public static final String STATUS_STORE = "sensor-status";
    public static final String TO_ALERTS = "sensor-status-alerts-out";

    private final List<SensorHealthDetector> detectors;
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, SensorStatus> statuses;

    /** @param detectors the registry's sensor health detectors, in the order they are asked */
    public SensorStatusStage(List<SensorHealthDetector> detectors) {
        this.detectors = detectors;
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.statuses = context.getStateStore(STATUS_STORE);
        detectors.forEach(detector -> detector.init(context));
    }

    @Override
    public void process(Record<Object, SpecificRecord> record) {
        if (!(record.value() instanceof SensorStatus status)) {
            return;
        }
        SensorStatus before = statuses.get(status.getSensorId());
        if (before != null && status.getTsMicros() < before.getTsMicros()) {
            return; // an older status (a sensor's queue replayed late) says nothing new
        }
        for (SensorHealthDetector detector : detectors) {
            for (Alert alert : detector.onStatus(before, status)) {
                context.forward(new Record<>(alert.getId(), alert, alert.getLastSeenMicros() / 1000), TO_ALERTS);
            }
        }
        statuses.put(status.getSensorId(), status);
    }
}
