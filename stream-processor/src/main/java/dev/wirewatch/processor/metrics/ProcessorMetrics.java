package dev.wirewatch.processor.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The processor's own metrics (README, "Metrics"), one set per Kafka Streams instance, in Prometheus' names:
 * <ul>
 *   <li>{@code wirewatch_alerts_total{type}}: alerts written to ww.alerts (counted as they are serialized: a
 *       transaction aborted and retried after a crash of this instance counts its alerts again);</li>
 *   <li>{@code wirewatch_dead_letters_total{topic,reason}}: input records skipped and copied to ww.deadletter;</li>
 *   <li>{@code wirewatch_input_duplicates_total{topic,sensor}}: sensor records dropped because the producer
 *       delivered them twice (SequenceCheck);</li>
 *   <li>{@code wirewatch_input_lost_total{topic,sensor}}: sensor records that never reached the topic (gaps in
 *       their sequence numbers);</li>
 *   <li>{@code wirewatch_flows_tracked}: flows in this instance's flow stores (one per connection, all vantages);</li>
 *   <li>{@code wirewatch_connections_tracked}: connection views in them (one per vantage that saw a flow);</li>
 *   <li>{@code wirewatch_stream_time_lag_seconds}: wall clock minus stream time (capture time) of the task
 *       furthest behind; 0 before any task has seen a record;</li>
 *   <li>{@code wirewatch_timers_pending{stage="flow"}}: flow deadlines waiting to fire (one per open flow: its
 *       next detector judgement or its expiry, FlowDeadlines);</li>
 *   <li>{@code wirewatch_state_size_bytes}: the instance's state directory on disk (StateDirectorySize).</li>
 * </ul>
 * Tasks come and go with rebalances: each keeps its figures under its task id, replaced when it is reopened.
 */
public final class ProcessorMetrics {
    /** The Kafka Streams config key under which the instance's metrics reach its exception handlers. */
    public static final String CONFIG_KEY = "wirewatch.processor.metrics";

    private final MeterRegistry registry;
    private final LongSupplier wallClockMs;
    private final Map<String, TaskFigures> tasks = new ConcurrentHashMap<>();

    public ProcessorMetrics(MeterRegistry registry) {
        this(registry, System::currentTimeMillis);
    }

    ProcessorMetrics(MeterRegistry registry, LongSupplier wallClockMs) {
        this.registry = registry;
        this.wallClockMs = wallClockMs;
        Gauge.builder("wirewatch.stream.time.lag", this, ProcessorMetrics::streamTimeLagSeconds).baseUnit("seconds").strongReference(true)
                .description("wall clock minus stream time (capture time) of the task furthest behind").register(registry);
        Gauge.builder("wirewatch.connections.tracked", this, ProcessorMetrics::connectionViews).strongReference(true)
                .description("connection views (one per vantage that saw a flow) in this instance's flow stores")
                .register(registry);
        Gauge.builder("wirewatch.timers.pending", this, ProcessorMetrics::flowTimers).tag("stage", "flow")
                .strongReference(true).description("deadlines waiting to fire: a flow's next detector judgement or expiry")
                .register(registry);
    }

    /** Metrics that go nowhere: a processor run without /metrics (analyze, tests). */
    public static ProcessorMetrics unexported() {
        return new ProcessorMetrics(new SimpleMeterRegistry());
    }

    /** An alert of {@code type} written to ww.alerts. */
    public void alert(String type) {
        Counter.builder("wirewatch.alerts").tag("type", type).description("alerts written to ww.alerts, by type")
                .register(registry).increment();
    }

    /** A record of {@code topic} skipped and copied to the dead-letter topic, for {@code reason}. */
    public void deadLetter(String topic, String reason) {
        Counter.builder("wirewatch.dead.letters").tag("topic", topic).tag("reason", reason)
                .description("input records skipped and copied to the dead-letter topic").register(registry).increment();
    }

    /** A record {@code sensor} delivered to {@code topic} twice, dropped. */
    public void inputDuplicate(String topic, String sensor) {
        Counter.builder("wirewatch.input.duplicates").tag("topic", topic).tag("sensor", sensor)
                .description("sensor records dropped because the producer delivered them twice").register(registry)
                .increment();
    }

    /** {@code count} records of {@code sensor} that never reached {@code topic}. */
    public void inputLost(String topic, String sensor, long count) {
        Counter.builder("wirewatch.input.lost").tag("topic", topic).tag("sensor", sensor)
                .description("sensor records that never reached the topic (gaps in their sequence numbers)")
                .register(registry).increment(count);
    }

    /** The instance's flow count (its connection budget's): read at each scrape. */
    public void trackFlows(LongSupplier flows) {
        Gauge.builder("wirewatch.flows.tracked", flows, supplier -> supplier.getAsLong()).strongReference(true)
                .description("flows (connections across all vantages) in this instance's flow stores")
                .register(registry);
    }

    /** The size on disk of {@code directory}, this instance's state (measured at each scrape). */
    public void trackStateDirectory(Path directory) {
        Gauge.builder("wirewatch.state.size", directory, StateDirectorySize::bytes).baseUnit("bytes").strongReference(true)
                .description("bytes of this instance's state directory on disk (RocksDB tables, logs, checkpoints)")
                .register(registry);
    }

    /**
     * A flow task's figures; {@code views} are the connection views its restored store holds, {@code timers} its
     * armed timers (read at each scrape).
     */
    public TaskFigures openTask(String taskId, long views, LongSupplier timers) {
        TaskFigures figures = new TaskFigures(taskId, views, timers);
        tasks.put(taskId, figures);
        return figures;
    }

    long connectionViews() {
        return tasks.values().stream().mapToLong(task -> task.views.get()).sum();
    }

    long flowTimers() {
        return tasks.values().stream().mapToLong(task -> task.timers.getAsLong()).sum();
    }

    double streamTimeLagSeconds() {
        long now = wallClockMs.getAsLong();
        return tasks.values().stream().mapToLong(task -> task.streamTimeMs.get()).filter(time -> time != Long.MIN_VALUE)
                .map(time -> Math.max(0, now - time)).max().orElse(0) / 1000.0;
    }

    /** One flow task's connection views, timers and stream time, updated by its own stream thread. */
    public final class TaskFigures implements AutoCloseable {
        private final String taskId;
        private final AtomicLong views;
        private final LongSupplier timers;
        private final AtomicLong streamTimeMs = new AtomicLong(Long.MIN_VALUE);

        private TaskFigures(String taskId, long views, LongSupplier timers) {
            this.taskId = taskId;
            this.views = new AtomicLong(views);
            this.timers = timers;
        }

        public void viewsOpened(int count) {
            views.addAndGet(count);
        }

        public void viewsClosed(int count) {
            views.addAndGet(-count);
        }

        public void streamTime(long ms) {
            streamTimeMs.accumulateAndGet(ms, Math::max);
        }

        @Override
        public void close() {
            tasks.remove(taskId, this);
        }
    }
}
