package dev.wirewatch.processor.health;

import dev.wirewatch.processor.flow.SensorLiveness;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.SensorStatus;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The sensor health stage's detector contract: they judge sensors, not traffic — a sensor's status counters
 * (ww.sensors, {@link SensorStatusStage}) and, as stream time passes, its ticks against the topology and the other
 * sensors' ({@link SensorSilenceWatch}, each second). A detector answers the questions of its kind; the others say
 * nothing. The registry ({@code detect/Detectors}) lists them; both stages ask every one, in that order.
 */
public interface SensorHealthDetector {
    /** The alert types it finds (ALERTS.md). */
    Set<String> types();

    /** The state stores it keeps; the topology gives them to the status stage, which opens them ({@link #init}). */
    List<StoreBuilder<?>> stores();

    /** Opens its stores (the status stage's). */
    default void init(ProcessorContext<?, ?> context) {}

    /** A sensor's status against its previous one ({@code before} null: its first). */
    default List<Alert> onStatus(SensorStatus before, SensorStatus now) {
        return List.of();
    }

    /** Time passed: has this sensor fallen silent by {@code nowMicros}? */
    default Optional<Alert> silent(String sensor, SensorLiveness liveness, long nowMicros) {
        return Optional.empty();
    }

    /** A sensor ticking under a name: is it one the topology lacks? {@code sensors}: every sensor that ticked. */
    default Optional<Alert> unknownSensor(String sensor, SensorLiveness liveness, Set<String> sensors) {
        return Optional.empty();
    }

    /** Time passed: has a topology host been without a sensor since {@code sinceMicros}? */
    default Optional<Alert> unmonitoredHost(String host, SensorLiveness liveness, long sinceMicros, long nowMicros,
                                           Set<String> sensors) {
        return Optional.empty();
    }
}
