package dev.wirewatch.processor.detect;

import dev.wirewatch.processor.alert.AlertIds;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.flow.Absent;
import dev.wirewatch.processor.flow.SensorLiveness;
import dev.wirewatch.processor.health.SensorHealthDetector;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Evidence;
import dev.wirewatch.schemas.Times;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Sensors and topology that do not name the same hosts. A sensor whose name is no host of the topology has its
 * evidence matched to no address, so its host counts as unmonitored and alerts blame the wrong side
 * (SENSOR_NOT_IN_TOPOLOGY); a topology host whose sensor never ticked is not monitored at all (HOST_NOT_MONITORED,
 * after a grace from the start, so sensors that start together with the processor are not reported). Each is
 * reported once: a naming mistake is one finding, not one per minute. Without a topology there is nothing to compare.
 */
public final class SensorTopologyMismatchDetector implements SensorHealthDetector {
    public static final String NOT_IN_TOPOLOGY = "SENSOR_NOT_IN_TOPOLOGY";
    public static final String NOT_MONITORED = "HOST_NOT_MONITORED";
    /** Stream time after the first judgement before a host without ticks is reported. */
    public static final long GRACE_MICROS = 60_000_000L;

    private final NetworkTopology network;
    private final ProcessorConfig config;

    public SensorTopologyMismatchDetector(NetworkTopology network, ProcessorConfig config) {
        this.network = network;
        this.config = config;
    }

    @Override
    public Set<String> types() {
        return Set.of(NOT_IN_TOPOLOGY, NOT_MONITORED);
    }

    /** None: the silence watch remembers what was reported (once per name). */
    @Override
    public List<StoreBuilder<?>> stores() {
        return List.of();
    }

    /** A sensor that ticks under a name the topology does not have. */
    @Override
    public Optional<Alert> unknownSensor(String sensor, SensorLiveness liveness, Set<String> sensors) {
        if (network.hosts().isEmpty() || network.hosts().containsKey(sensor) || liveness == SensorLiveness.NEVER_SEEN) {
            return Optional.empty();
        }
        // its first tick, not the one the judgement happened to see: a replay reports what the live run did
        long at = liveness.firstTickMicros() != Absent.NONE ? liveness.firstTickMicros() : liveness.lastTickMicros();
        String unmonitored = String.join(", ", unmonitored(sensors));
        return Optional.of(alert(NOT_IN_TOPOLOGY, sensor, at)
                .setObservedBy(List.of(sensor))
                .setSummary(String.format("A sensor named '%s' sends its capture, but the topology has no host '%s' "
                                + "(it has %s): its packets are matched to no host, so whatever it sees counts as "
                                + "unmonitored and alerts about its host's traffic may blame the wrong side.", sensor,
                        sensor, String.join(", ", network.hosts().keySet())))
                .setHint("Start the sensor with `--host NAME`, NAME as its host is called in topology.yaml"
                        + (unmonitored.isEmpty() ? "" : " (hosts without a sensor: " + unmonitored + ")")
                        + ", or add '" + sensor + "' under `hosts:` with its interfaces and addresses and restart "
                        + "the processor. Without `--host` a sensor names itself after the machine (`hostname`).")
                .setEvidence(List.of(Evidence.newBuilder().setHost(sensor).setIface("").setTsMicros(at)
                        .setLine("tick from sensor '" + sensor + "' at " + Times.iso(at)).build()))
                .build());
    }

    /** A topology host from which no sensor ticked in the {@link #GRACE_MICROS} since {@code sinceMicros}. */
    @Override
    public Optional<Alert> unmonitoredHost(String host, SensorLiveness liveness, long sinceMicros, long nowMicros,
                                           Set<String> sensors) {
        if (liveness != SensorLiveness.NEVER_SEEN || nowMicros - sinceMicros < GRACE_MICROS) {
            return Optional.empty();
        }
        Set<String> strangers = new TreeSet<>(sensors);
        strangers.removeAll(network.hosts().keySet());
        return Optional.of(alert(NOT_MONITORED, host, nowMicros)
                .setFirstSeenMicros(sinceMicros)
                .setSummary(String.format("No sensor has sent anything as host '%s' in the %,d s of capture time since "
                                + "the processor started: %s is in the topology but not monitored, so alerts can only "
                                + "say what the other hosts saw (e.g. \"only the client side is monitored\").", host,
                        (nowMicros - sinceMicros) / 1_000_000, host))
                .setHint("Run `wirewatch sensor --host " + host + " ...` on " + host
                        + (strangers.isEmpty() ? "" : "; if one runs there under another name (sensors not in the "
                        + "topology: " + String.join(", ", strangers) + "), give it `--host " + host + "`")
                        + ". A host described only for its addresses stays reported once, as info.")
                .setEvidence(List.of())
                .build());
    }

    private Set<String> unmonitored(Set<String> sensors) {
        Set<String> hosts = new TreeSet<>(network.hosts().keySet());
        hosts.removeAll(sensors);
        return hosts;
    }

    private Alert.Builder alert(String type, String host, long atMicros) {
        return Alert.newBuilder()
                .setId(AlertIds.of(type, 0, host)) // once per name, whenever it is found
                .setType(type)
                .setSeverity(config.severity(type))
                .setHost(host)
                .setObservedBy(List.of())
                .setFirstSeenMicros(atMicros)
                .setLastSeenMicros(atMicros)
                .setCount(1);
    }
}
