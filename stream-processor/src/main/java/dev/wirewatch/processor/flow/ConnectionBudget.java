package dev.wirewatch.processor.flow;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.common.metrics.stats.Value;
import org.apache.kafka.streams.StreamsMetrics;

/**
 * How many connections one processor instance keeps (config {@code connection-budget}), shared by all its tasks:
 * idle sessions stay known for hours, so without a bound a scan or a flood of abandoned sessions would grow the
 * flow store without end. Each task keeps an {@link Account} of its own flows and, while the instance is over the
 * budget, forgets its longest-idle ones; both figures are Kafka Streams metrics, so they reach /metrics.
 */
public final class ConnectionBudget {
    public static final String METRICS_GROUP = "stream-wirewatch-flow-metrics";

    private final long limit;
    /**
     * Each task's count, by task id: a task reopened on this instance replaces its entry, so a task closed without
     * its processor's close (a dirty close after an error) cannot leave its count behind.
     */
    private final Map<String, AtomicLong> kept = new ConcurrentHashMap<>();

    public ConnectionBudget(long limit) {
        this.limit = limit;
    }

    /** Connections beyond the budget, instance-wide (0 when within it). */
    long excess() {
        return Math.max(0, kept() - limit);
    }

    /** Flows kept by every task of this instance. */
    public long kept() {
        return kept.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** A task's share: its flow count, added to the instance's, and its metrics. */
    Account open(StreamsMetrics metrics, String taskId, long flowsAlready) {
        return new Account(metrics, taskId, flowsAlready);
    }

    /** One task's flows: counted by its own stream thread, summed by every task's. */
    final class Account implements AutoCloseable {
        private final StreamsMetrics metrics;
        private final Sensor connections;
        private final Sensor evictions;
        private final String taskId;
        private final AtomicLong own;

        private Account(StreamsMetrics metrics, String taskId, long flowsAlready) {
            this.metrics = metrics;
            Map<String, String> tags = Map.of("task-id", taskId);
            connections = metrics.addSensor("wirewatch-connections-" + taskId, Sensor.RecordingLevel.INFO);
            connections.add(new MetricName("connections", METRICS_GROUP,
                    "connections (flows) this task keeps in its flow store", tags), new Value());
            evictions = metrics.addSensor("wirewatch-evicted-" + taskId, Sensor.RecordingLevel.INFO);
            evictions.add(new MetricName("connections-evicted-total", METRICS_GROUP,
                    "connections forgotten before their idle timeout because the instance was over connection-budget",
                    tags), new CumulativeCount());
            this.taskId = taskId;
            own = new AtomicLong(flowsAlready);
            kept.put(taskId, own);
            connections.record(flowsAlready);
        }

        void opened() {
            own.incrementAndGet();
        }

        void closed() {
            own.decrementAndGet();
        }

        /** This task's part of the instance's {@code excess}, in proportion to its flows, at most {@code cap}. */
        int shareOfExcess(long excess, int cap) {
            long all = Math.max(1, kept());
            return (int) Math.min(cap, (excess * own.get() + all - 1) / all);
        }

        void evicted() {
            evictions.record();
        }

        /** Publishes the task's count (once per stream-time second, not per packet). */
        void report() {
            connections.record(own.get());
        }

        @Override
        public void close() {
            kept.remove(taskId, own);
            metrics.removeSensor(connections);
            metrics.removeSensor(evictions);
        }
    }
}
