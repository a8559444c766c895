package dev.wirewatch.sensor;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;

/**
 * The sensor's counters as Micrometer meters, read from the same counters that go into SensorStatus, so what
 * /metrics shows and what ww.sensors carries cannot disagree. Names follow Prometheus conventions once exported
 * (wirewatch_sensor_packets_captured_total, ...).
 */
final class SensorMetrics {
    private SensorMetrics() {}

    static void bind(SensorService sensor, MeterRegistry registry) {
        counter(registry, "wirewatch.sensor.packets.captured", "frames the capture delivered (packet ring or libpcap)",
                sensor, SensorService::captured);
        counter(registry, "wirewatch.sensor.packets.decoded", "frames decoded (IP, ARP or ignored protocols)", sensor,
                SensorService::decoded);
        counter(registry, "wirewatch.sensor.packets.malformed", "frames too damaged to decode", sensor,
                SensorService::malformed);
        counter(registry, "wirewatch.sensor.records.emitted", "records Kafka acknowledged", sensor,
                SensorService::emitted);
        counter(registry, "wirewatch.sensor.pcap.dropped", "packets the kernel dropped because the capture buffer was "
                + "full (the ring's PACKET_STATISTICS, or libpcap's ps_drop)", sensor, SensorService::pcapDropped);
        counter(registry, "wirewatch.sensor.interface.dropped", "packets the interface dropped on receive since "
                + "capture started (rx_dropped)", sensor, SensorService::ifDropped);
        counter(registry, "wirewatch.sensor.queue.dropped", "records dropped, oldest first, while the queue was full",
                sensor, SensorService::queueDropped);
        counter(registry, "wirewatch.sensor.flows.evicted", "flows pushed out of the full flow table", sensor,
                SensorService::evictedFlows);
        gauge(registry, "wirewatch.sensor.queue.records", "records waiting for Kafka", sensor, SensorService::queuedRecords);
        gauge(registry, "wirewatch.sensor.queue.bytes", "bytes waiting for Kafka", sensor, SensorService::queuedBytes);
        gauge(registry, "wirewatch.sensor.producer.inflight", "records handed to the Kafka producer, not yet acknowledged",
                sensor, SensorService::inFlight);
        gauge(registry, "wirewatch.sensor.producer.last.ack.seconds", "seconds since Kafka last acknowledged a record",
                sensor, SensorService::secondsSinceLastAck);
        gauge(registry, "wirewatch.sensor.flows.tracked", "flows in the emission policy's table", sensor,
                SensorService::activeFlows);
        gauge(registry, "wirewatch.sensor.degraded", "1 while the sensor is degraded", sensor,
                s -> s.degradedReason().isPresent() ? 1 : 0);
    }

    /** A counter per kernel drop reason seen so far (reasons appear as the kernel reports them; registering is idempotent). */
    static void bindKernelDrops(SensorService sensor, MeterRegistry registry) {
        for (String reason : sensor.kernelDropsByReason().keySet()) {
            FunctionCounter.builder("wirewatch.sensor.kernel.drops", sensor,
                            s -> s.kernelDropsByReason().getOrDefault(reason, 0L))
                    .description("packets the kernel dropped, by skb_drop_reason (every namespace; --drop-reasons)")
                    .tag("reason", reason).register(registry);
        }
    }

    private static void counter(MeterRegistry registry, String name, String description, SensorService sensor,
                                ToDoubleFunction<SensorService> value) {
        FunctionCounter.builder(name, sensor, value).description(description).register(registry);
    }

    private static void gauge(MeterRegistry registry, String name, String description, SensorService sensor,
                              ToDoubleFunction<SensorService> value) {
        Gauge.builder(name, sensor, value).description(description).register(registry);
    }
}
