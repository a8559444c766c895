package dev.wirewatch.app.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three `wirewatch broker` JVMs form one KRaft quorum, and wirewatch's topics survive one of them being killed. */
class BrokerClusterTest {
    @TempDir
    static Path directory;
    private static BrokerClusterProcess cluster;

    @BeforeAll
    static void start() {
        cluster = BrokerClusterProcess.start(3, directory);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void threeSeparateJvmsFormOneQuorumOfThreeBrokers() throws Exception {
        try (Admin admin = cluster.admin()) {
            Set<Integer> brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream()
                    .map(Node::id).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(Set.of(1, 2, 3), brokers);
            Set<Integer> voters = admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS).voters()
                    .stream().map(voter -> voter.replicaId()).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(Set.of(1, 2, 3), voters);
        }
        for (int node = 1; node <= 3; node++) {
            assertTrue(cluster.log(node).contains("of cluster " + Quorum.of(node, 0, cluster.voters(), null).clusterId()),
                    "node " + node + " formatted with the id derived from the voters: " + cluster.log(node));
        }
    }

    @Test
    void wirewatchTopicsHaveThreeReplicasAndMinInsyncTwo() throws Exception {
        try (Admin admin = cluster.admin()) {
            Map<String, TopicDescription> topics = admin.describeTopics(Topics.ALL).allTopicNames()
                    .get(30, TimeUnit.SECONDS);
            List<ConfigResource> resources = Topics.ALL.stream()
                    .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList();
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
            for (String topic : Topics.ALL) {
                TopicDescription description = topics.get(topic);
                assertEquals(6, description.partitions().size(), topic + ": 2 partitions per broker");
                description.partitions().forEach(partition -> assertEquals(3, partition.replicas().size(),
                        topic + "-" + partition.partition() + " replicas"));
                assertEquals("2", configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic))
                        .get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value(), topic + " min.insync.replicas");
            }
        }
    }

    @Test
    void anAcksAllProducerKeepsWritingWhileABrokerIsKilledAndEveryRecordIsReadOnce() throws Exception {
        String topic = Topics.PACKETS;
        int victim;
        try (Admin admin = cluster.admin()) {
            victim = leader(admin, topic, 0);
        }
        Map<String, Object> producerConfig = new HashMap<>(Map.of(
                CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000,
                ProducerConfig.LINGER_MS_CONFIG, 5));
        int records = 3000;
        ConcurrentLinkedQueue<Exception> failures = new ConcurrentLinkedQueue<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig, new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < records; i++) {
                if (i == records / 3) {
                    producer.flush(); // a third is on the cluster; the rest is written with one broker dead
                    cluster.kill(victim);
                }
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i), (metadata, error) -> {
                    if (error != null) {
                        failures.add(error);
                    }
                });
                if (i % 100 == 0) {
                    Thread.sleep(10);
                }
            }
            producer.flush();
        }
        assertEquals(List.of(), new ArrayList<>(failures), "every acks=all write succeeded with a broker down");
        cluster.restart(victim);
        try (Admin admin = cluster.admin()) {
            awaitFullIsr(admin, topic);
        }
        List<String> keys = readAll(topic);
        assertEquals(records, keys.size(), "records on " + topic);
        assertEquals(records, new TreeSet<>(keys).size(), "distinct records on " + topic);
    }

    @Test
    void aNodeWhoseVotersDisagreeSaysSoAndExits() throws Exception {
        // Node 3's entry points elsewhere: another voters list, so another derived cluster id.
        String otherVoters = cluster.voters().replaceFirst("3@127.0.0.1:\\d+", "3@127.0.0.1:1");
        assertNotEquals(cluster.voters(), otherVoters);
        Path data = directory.resolve("stray");
        BrokerClusterProcess.Finished run = BrokerClusterProcess.run(directory.resolve("stray.log"),
                Duration.ofSeconds(150), "broker", "--node-id", "3", "--quorum-voters", otherVoters,
                "--port", "0", "--data", data.toString());
        assertEquals(1, run.exitCode(), run.output());
        assertTrue(run.output().contains("node 3 cannot join the quorum")
                && run.output().contains("Start every node with the same --quorum-voters"), run.output());
    }

    @Test
    void aNodeIdOutsideTheVotersIsRefusedAtOnce() throws Exception {
        BrokerClusterProcess.Finished run = BrokerClusterProcess.run(directory.resolve("wrong-id.log"),
                Duration.ofSeconds(60), "broker", "--node-id", "4", "--quorum-voters", cluster.voters(),
                "--port", "0");
        assertEquals(2, run.exitCode(), run.output());
        assertTrue(run.output().contains("node id 4 is not among the quorum voters"), run.output());
    }

    private static int leader(Admin admin, String topic, int partition) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                .partitions().get(partition).leader().id();
    }

    /** Until the restarted broker is back in the ISR of every partition (bounded). */
    private static void awaitFullIsr(Admin admin, String topic) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(topic);
            if (description.partitions().stream().allMatch(partition -> partition.isr().size() == 3)) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the restarted broker did not rejoin the ISR of " + topic + " within 120 s");
    }

    private static List<String> readAll(String topic) {
        Map<String, Object> config = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(record -> keys.add(record.key()));
            }
        }
        return keys;
    }
}
