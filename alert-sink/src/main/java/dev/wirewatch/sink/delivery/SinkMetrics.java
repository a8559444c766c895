package dev.wirewatch.sink.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * What the sink exposes on /metrics: per output, alerts delivered, failed (given up) and held back by the rate limit,
 * attempts retried, and the latency from receiving an alert to the output accepting it; for the sink, duplicates
 * dropped, updates sent and undecodable records.
 */
public final class SinkMetrics {
    private final MeterRegistry registry;

    public SinkMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** {@code alerts} alerts (one notification) accepted by an output. */
    public void delivered(String output, int alerts, Duration latency) {
        counter("wirewatch.sink.delivered", output).increment(alerts);
        Timer.builder("wirewatch.sink.delivery.latency").tag("output", output)
                .description("from receiving an alert to the output accepting it")
                .publishPercentiles(0.5, 0.99).register(registry).record(latency);
    }

    public void retried(String output) {
        counter("wirewatch.sink.retried", output).increment();
    }

    public void failed(String output, int alerts) {
        counter("wirewatch.sink.failed", output).increment(alerts);
    }

    public void rateLimited(String output, int alerts) {
        counter("wirewatch.sink.rate.limited", output).increment(alerts);
    }

    public void duplicate() {
        registry.counter("wirewatch.sink.duplicates").increment();
    }

    /** An alert sent again with new content under an id already sent (docs/ALERTS.md, "Updates"). */
    public void update() {
        registry.counter("wirewatch.sink.updates").increment();
    }

    public void undecodable() {
        registry.counter("wirewatch.sink.undecodable").increment();
    }

    private Counter counter(String name, String output) {
        return registry.counter(name, "output", output);
    }
}
