package dev.wirewatch.app.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * How wirewatch sizes the topics it creates for the cluster it finds.
 *
 * @param brokers           brokers the cluster reports (registered and unfenced)
 * @param replicationFactor min(3, brokers): three copies survive one broker failing while writes continue
 * @param minInsyncReplicas 2 with three replicas, so an acks=all write is on two brokers before it is acknowledged
 *                          and one broker may be down without stopping writers; otherwise 1 (Kafka's default)
 * @param partitions        partitions of a topic created without a count: 3 on one node (as always: the seed cases
 *                          and their expected output assume it), else 2 per broker and at least 6: every broker
 *                          leads two ww.packets partitions, so leadership spreads evenly and a failed broker moves a
 *                          third of them; up to 6 processor instances share the work; and a small cluster is not
 *                          burdened with the file handles and Streams tasks of dozens of partitions
 */
public record ClusterSizing(int brokers, int replicationFactor, int minInsyncReplicas, int partitions) {
    private static final long TIMEOUT_MS = 30_000;

    public static ClusterSizing forBrokers(int brokers) {
        int replication = Math.max(1, Math.min(3, brokers));
        return new ClusterSizing(brokers, replication, replication >= 3 ? 2 : 1,
                brokers <= 1 ? TopicSetup.DEFAULT_PARTITIONS : Math.max(6, 2 * brokers));
    }

    /** Sizing for the cluster {@code admin} talks to. */
    public static ClusterSizing of(Admin admin) {
        try {
            return forBrokers(admin.describeCluster().nodes().get(TIMEOUT_MS, TimeUnit.MILLISECONDS).size());
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot describe the Kafka cluster: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing the Kafka cluster", e);
        }
    }

    /** Topic configs for a topic wirewatch creates (min.insync.replicas only where it differs from Kafka's default). */
    public Map<String, String> topicConfigs() {
        Map<String, String> configs = new HashMap<>();
        if (minInsyncReplicas > 1) {
            configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, String.valueOf(minInsyncReplicas));
        }
        return configs;
    }

    /** Kafka Streams settings so the topics Streams creates itself (changelogs) are replicated alike. */
    public Map<String, Object> streamsConfigs() {
        Map<String, Object> configs = new HashMap<>();
        configs.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, replicationFactor);
        topicConfigs().forEach((key, value) -> configs.put(StreamsConfig.topicPrefix(key), value));
        return configs;
    }
}
