package dev.wirewatch.app.analyze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wirewatch.app.Main;
import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.app.kafka.TopicReads;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.processor.ProcessorService;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.schemas.Topics;
import dev.wirewatch.sensor.emit.RecordPublisher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, item 4: {@code analyze --bootstrap-servers} on a cluster where a live processor runs (and a live sensor
 * ticks at the current time). The analysis must stay in topics of its own: the live processor judges none of its
 * packets (so the live sink never sees them), the analysis reads none of the live alerts, and its topics are gone after.
 */
class AnalyzeBesideLiveProcessorTest {
    private static final Path SAMPLES = Path.of(System.getProperty("wirewatch.samples", "../deploy/samples"));
    private static final ObjectMapper JSON = new ObjectMapper();

    private static EmbeddedBroker broker;
    private static Map<String, Object> clientConfig;
    private static KafkaStreams live;
    private static Path liveState;

    @BeforeAll
    static void startLiveServices() throws IOException {
        broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3));
        clientConfig = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        int partitions;
        try (Admin admin = Admin.create(clientConfig)) {
            partitions = TopicSetup.ensureForProcessor(admin, "wirewatch-processor");
        }
        liveState = Files.createTempDirectory("analyzeiso-live-");
        live = ProcessorService.create(clientConfig, "wirewatch-processor", liveState,
                NetworkTopology.load(SAMPLES.resolve("01-firewall-drop/topology.yaml")), ProcessorConfig.DEFAULTS, partitions);
        live.start();
        // A live sensor's tick: the live processor's stream time is now, days after the samples were captured.
        try (RecordPublisher sensor = new RecordPublisher(clientConfig)) {
            sensor.tick("client", System.currentTimeMillis() * 1000, false);
            sensor.flush();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (live.state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) {
            sleep(100);
        }
        assertEquals(KafkaStreams.State.RUNNING, live.state(), "the live processor runs");
    }

    @AfterAll
    static void stopLiveServices() throws IOException {
        live.close(Duration.ofSeconds(30));
        Utils.delete(liveState.toFile());
        broker.close();
    }

    @Test
    void theLiveProcessorSeesNothingOfTheAnalysisAndTheRunLeavesNoTopicsBehind(@TempDir Path temp) throws Exception {
        Map<String, Long> liveEndsBefore = liveEnds();
        List<JsonNode> printed = analyze(temp, "01-firewall-drop", "client", "server");

        // Printed as on a broker of its own: the firewall drop at the server, once.
        assertEquals(1, printed.size(), printed.toString());
        assertEquals("UNANSWERED_SYN", printed.get(0).get("type").asText());
        assertEquals("DROPPED_AT_SERVER_HOST", printed.get(0).get("cause").asText());
        assertEquals(6, printed.get(0).get("count").asInt());

        assertEquals(liveEndsBefore, liveEnds(), "nothing written to the live ww.packets, ww.l2, ww.sensors or ww.alerts");
        assertEquals(KafkaStreams.State.RUNNING, live.state());
        try (Admin admin = Admin.create(clientConfig)) {
            List<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(topic -> topic.startsWith("ww-analyze-")).toList();
            assertEquals(List.of(), topics, "the run's topics are deleted");
            List<String> groups = admin.listConsumerGroups().all().get(30, TimeUnit.SECONDS).stream()
                    .map(ConsumerGroupListing::groupId).filter(group -> group.startsWith("ww-analyze-")).toList();
            assertEquals(List.of(), groups, "and its consumer group");
        }
    }

    /**
     * The run printed three alerts under one id (counts 3/2/1, NO_ANSWER and DROPPED_AT_SERVER_HOST): the live
     * processor's alerts on the shared ww.alerts, read back with the analysis's own. Each finding is printed once.
     */
    @Test
    void eachFindingIsPrintedOnceWithOneSubjectPerId(@TempDir Path temp) throws Exception {
        List<JsonNode> printed = new ArrayList<>(analyze(temp, "04-paws-behind-nat", "gateway", "server"));
        printed.addAll(analyze(temp, "01-firewall-drop", "client", "server"));
        assertEquals(5, printed.size(), printed.toString());
        assertEquals(printed.size(), printed.stream().map(alert -> alert.get("id").asText()).distinct().count(),
                "one line per id: " + printed);
        printed.forEach(alert -> assertEquals(1, alert.get("revision").asInt(), alert.toString()));
    }

    /** End offsets of the topics live services read, by partition. */
    private static Map<String, Long> liveEnds() {
        Map<String, Long> ends = new java.util.TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReads.consumer(clientConfig)) {
            for (String topic : List.of(Topics.PACKETS, Topics.L2, Topics.SENSORS, Topics.ALERTS)) {
                Map<TopicPartition, Long> end = TopicReads.endOffsets(consumer, topic);
                end.forEach((partition, offset) -> ends.put(partition.toString(), offset));
            }
        }
        return ends;
    }

    private static List<JsonNode> analyze(Path temp, String sample, String... hosts) throws IOException {
        Path dir = SAMPLES.resolve(sample);
        Path out = temp.resolve(sample + ".jsonl");
        List<String> args = new ArrayList<>(List.of("analyze", "--bootstrap-servers", broker.bootstrapServers(),
                "--topology", dir.resolve("topology.yaml").toString(), "--format", "jsonl", "--out", out.toString()));
        for (String host : hosts) {
            args.add("--pcap");
            args.add(host + "=" + dir.resolve(host + ".pcap"));
        }
        assertEquals(0, Main.run(args.toArray(String[]::new)), "analyze exits 0");
        List<JsonNode> alerts = new ArrayList<>();
        for (String line : Files.readAllLines(out)) {
            assertFalse(line.isBlank());
            alerts.add(JSON.readTree(line));
        }
        assertTrue(Files.exists(out));
        return alerts;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
