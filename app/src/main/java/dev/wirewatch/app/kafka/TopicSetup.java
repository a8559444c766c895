package dev.wirewatch.app.kafka;

import dev.wirewatch.processor.ProcessorService;
import dev.wirewatch.schemas.Topics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics wirewatch needs, idempotently, sized for the cluster ({@link ClusterSizing}): existing topics
 * are left as they are.
 */
public final class TopicSetup {
    /** Partitions of ww.packets (and of the processor's internal topics) when wirewatch creates them on one node. */
    public static final int DEFAULT_PARTITIONS = 3;
    /** As a partition count: as many as {@link ClusterSizing#partitions()} says for the cluster. */
    public static final int FOR_CLUSTER = 0;
    private static final long TIMEOUT_MS = 30_000;
    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);

    private TopicSetup() {}

    /** How many partitions {@code topic} has. */
    public static int partitionCount(Admin admin, String topic) {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS)
                    .get(topic).partitions().size();
        } catch (Exception e) {
            throw new IllegalStateException("cannot describe topic " + topic + ": " + e.getMessage(), e);
        }
    }

    /**
     * Everything a processor application reads or writes: the public topics, then its internal topics with as many
     * partitions as ww.packets has (which may be more than the default on an existing cluster). Returns that number.
     */
    public static int ensureForProcessor(Admin admin, String applicationId) {
        return ensureForProcessor(admin, "", applicationId);
    }

    /** As {@link #ensureForProcessor(Admin, String)}, with the public topics' names behind {@code topicPrefix}. */
    public static int ensureForProcessor(Admin admin, String topicPrefix, String applicationId) {
        ensure(admin, topicPrefix, FOR_CLUSTER, Map.of());
        int partitions = partitionCount(admin, topicPrefix + Topics.PACKETS);
        ensure(admin, topicPrefix, FOR_CLUSTER, ProcessorService.internalTopics(applicationId, partitions));
        return partitions;
    }

    /**
     * Until {@code brokers} brokers are registered, so topics created next get all their replicas; returns how many
     * there are when the time is up (a cluster with a broker down still gets its topics, with fewer replicas).
     */
    public static int awaitBrokers(Admin admin, int brokers, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        int seen = 0;
        while (true) {
            try {
                seen = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
            } catch (ExecutionException | TimeoutException e) {
                // not answering yet: try again until the deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for brokers", e);
            }
            if (seen >= brokers || System.nanoTime() > deadline) {
                if (seen < brokers) {
                    LOG.warn("only {} of {} brokers registered after {} s: topics created now get fewer replicas",
                            seen, brokers, timeoutMs / 1000);
                }
                return seen;
            }
            pause(200, "brokers");
        }
    }

    /** The public topics (docs/architecture.md) plus {@code extra} (name to partitions). */
    public static void ensure(Admin admin, int partitions, Map<String, Integer> extra) {
        ensure(admin, "", partitions, extra);
    }

    /**
     * The public topics (docs/architecture.md) behind {@code topicPrefix}, with {@code partitions} each
     * ({@link #FOR_CLUSTER}: sized for the cluster), plus {@code extra} (name to partitions).
     */
    public static void ensure(Admin admin, String topicPrefix, int partitions, Map<String, Integer> extra) {
        Map<String, Integer> wanted = new HashMap<>(extra);
        int count = partitions == FOR_CLUSTER ? ClusterSizing.of(admin).partitions() : partitions;
        for (String topic : Topics.ALL) {
            wanted.put(topicPrefix + topic, count);
        }
        create(admin, wanted, Topics.COMPACTED.stream().map(topic -> topicPrefix + topic).toList());
    }

    /** The topics whose names start with {@code prefix}. */
    public static List<String> named(Admin admin, String prefix) {
        try {
            return admin.listTopics().names().get(TIMEOUT_MS, TimeUnit.MILLISECONDS).stream()
                    .filter(topic -> topic.startsWith(prefix)).sorted().toList();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list topics: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing topics", e);
        }
    }

    /**
     * Creates topics (name to partitions; names in {@code compacted} get {@code cleanup.policy=compact}) replicated
     * as {@link ClusterSizing} says, and returns once every partition accepts writes. Topics that exist already are
     * left as they are; a warning names those with fewer replicas than the cluster would give them.
     */
    public static void create(Admin admin, Map<String, Integer> topicPartitions, Collection<String> compacted) {
        ClusterSizing sizing = ClusterSizing.of(admin);
        List<NewTopic> topics = new ArrayList<>();
        topicPartitions.forEach((name, count) -> {
            NewTopic topic = new NewTopic(name, count, (short) sizing.replicationFactor());
            Map<String, String> configs = new HashMap<>(sizing.topicConfigs());
            if (compacted.contains(name)) {
                configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            }
            topics.add(topic.configs(configs));
        });
        List<String> existing = new ArrayList<>();
        admin.createTopics(topics).values().forEach((name, future) -> {
            try {
                future.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    existing.add(name);
                } else {
                    throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause().getMessage(), e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating topic " + name, e);
            } catch (TimeoutException e) {
                throw new IllegalStateException("Kafka did not create topic " + name + " within 30 s", e);
            }
        });
        awaitWritable(admin, topicPartitions.keySet());
        warnUnderReplicated(admin, existing, sizing);
    }

    private static void warnUnderReplicated(Admin admin, List<String> existing, ClusterSizing sizing) {
        if (existing.isEmpty() || sizing.replicationFactor() == 1) {
            return;
        }
        try {
            admin.describeTopics(existing).allTopicNames().get(TIMEOUT_MS, TimeUnit.MILLISECONDS).values().stream()
                    .filter(topic -> topic.partitions().get(0).replicas().size() < sizing.replicationFactor())
                    .forEach(topic -> LOG.warn("topic {} exists with replication factor {}, less than the {} this "
                            + "cluster of {} brokers gives new topics; left as it is (raise it with "
                            + "kafka-reassign-partitions)", topic.name(), topic.partitions().get(0).replicas().size(),
                            sizing.replicationFactor(), sizing.brokers()));
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("cannot check the replication of existing topics {}: {}", existing, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pause(long millis, String what) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        }
    }

    /**
     * Until every partition is served by its leader's replica manager, not merely listed with a leader. A broker
     * publishes a new topic to its metadata cache (what producers read) before the replica manager opens the
     * partitions; a produce in that gap fails retriably, and Kafka 4.4 then accepts the producer's next in-flight
     * batch as its first, so the retried first batch is silently lost by an idempotent producer (KAFKA-15591, fixed
     * in 4.5). ListOffsets is answered by the replica manager: once it succeeds everywhere, the gap is closed.
     */
    private static void awaitWritable(Admin admin, Set<String> names) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
                admin.describeTopics(new HashSet<>(names)).allTopicNames().get(5, TimeUnit.SECONDS).values()
                        .forEach(topic -> topic.partitions().forEach(partition -> partitions.put(
                                new TopicPartition(topic.name(), partition.partition()), OffsetSpec.latest())));
                admin.listOffsets(partitions).all().get(5, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | TimeoutException e) {
                last = e; // UnknownTopicOrPartition / NotLeaderOrFollower until the partitions are open
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for topics " + names, e);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for topics " + names, e);
            }
        }
        throw new IllegalStateException("topics " + names + " do not accept writes after " + TIMEOUT_MS / 1000 + " s"
                + (last == null ? "" : ": " + last.getMessage()), last);
    }

    /** Deletes topics (those that exist) and waits for it. */
    public static void delete(Admin admin, List<String> names) {
        try {
            var existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<String> present = names.stream().filter(existing::contains).toList();
            if (!present.isEmpty()) {
                admin.deleteTopics(present).all().get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot delete topics " + names + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while deleting topics", e);
        }
    }
}
