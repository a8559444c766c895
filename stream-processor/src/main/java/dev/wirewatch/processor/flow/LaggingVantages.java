package dev.wirewatch.processor.flow;

import dev.wirewatch.processor.network.NetworkTopology;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Whether a flow past its expiry must wait for a sensor that should see it but lags behind: its records are delayed
 * on the way to Kafka (a cut or slow path; the sensor queues them and sends them once it is back), so they arrive
 * after the other sensors' have moved stream time on. Closed now, the flow would lose that vantage, and its late
 * records would open a second flow seen from one side only (counted twice, and taken for a sensor on the wrong
 * interface). Only the hosts holding the flow's two addresses are awaited, only while they captured that interface
 * and did not end or stop: a sensor that ticked before, at most {@code lagging-sensor-wait} after its last tick; one
 * not heard yet (a cold start: one sensor's first records reach Kafka seconds after another's), at most
 * {@code sensor-silence} after the first tick this partition heard from any sensor.
 */
record LaggingVantages(NetworkTopology topology, Function<String, SensorLiveness> liveness, long waitMicros,
                       long coldStartWaitMicros, LongSupplier firstHeardMicros) {

    boolean awaited(FlowState flow, long expiryMicros, long nowMicros) {
        ConnectionView primary = flow.primary();
        return lags(primary.originatorAddress(), primary.originatorPort(), expiryMicros, nowMicros)
                || lags(primary.responderAddress(), primary.responderPort(), expiryMicros, nowMicros);
    }

    private boolean lags(byte[] address, int port, long expiryMicros, long nowMicros) {
        return topology.locate(address, port).filter(NetworkTopology.Location::captured).map(location -> {
            SensorLiveness sensor = liveness.apply(location.host().name());
            if (sensor.lastTickMicros() == Absent.NONE) {
                long first = firstHeardMicros.getAsLong();
                return first != Absent.NONE && nowMicros - first <= coldStartWaitMicros;
            }
            return !sensor.ended() && !sensor.stopped()
                    && !sensor.coveredUntil(expiryMicros) && nowMicros - sensor.lastTickMicros() <= waitMicros;
        }).orElse(false);
    }
}
