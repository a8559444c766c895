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
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.schemas.Topics;
import dev.wirewatch.sensor.emit.EmissionMode;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay re-judges stored history: two cases are analysed into one broker's ww.packets (recorded 2 s apart, the later
 * one first), then the earlier case's capture-time range, read by tshark from its captures, is replayed. It must give exactly that case's
 * alerts — ids included — and none of the neighbour's, and leave ww.alerts and the cluster's topics as they were.
 */
class HistoryReplayTest {
    private static EmbeddedBroker broker;
    private static Map<String, Object> clientConfig;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3));
        clientConfig = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void replayingACaseRangeGivesThatCasesAlertsAndTouchesNothingLive(@TempDir Path out) throws Exception {
        Path samples = Path.of(System.getProperty("wirewatch.samples", "../deploy/samples"));
        assertTrue(Files.isDirectory(samples), "deploy/samples not found");
        Analysis analysis = new Analysis(clientConfig, EmissionMode.CONTROL, new PrintStream(System.out, true, StandardCharsets.UTF_8));
        // The later recording first: the replayed range then lies behind newer capture times in every partition.
        List<Alert> portMoved = analyze(analysis, samples.resolve("03-port-moved"));
        List<Alert> firewall = analyze(analysis, samples.resolve("01-firewall-drop"));
        assertFalse(firewall.isEmpty(), "the firewall case alerts");
        assertFalse(portMoved.isEmpty(), "the neighbouring case alerts");

        List<Instant> times = new ArrayList<>();
        for (String host : List.of("client", "server")) {
            times.addAll(captureTimes(samples.resolve("01-firewall-drop/" + host + ".pcap")));
        }
        Instant from = times.stream().min(Instant::compareTo).orElseThrow();
        Instant to = times.stream().max(Instant::compareTo).orElseThrow().plusMillis(1);
        Map<TopicPartition, Long> liveAlertsBefore = alertEnds();

        Path jsonl = out.resolve("replayed.jsonl");
        int exit = Main.run("replay", "--bootstrap-servers", broker.bootstrapServers(), "--from", from.toString(),
                "--to", to.toString(), "--topology", samples.resolve("01-firewall-drop/topology.yaml").toString(),
                "--format", "jsonl", "--out", jsonl.toString());
        assertEquals(0, exit);

        List<JsonNode> replayed = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(jsonl)) {
            replayed.add(json.readTree(line));
        }
        assertEquals(ids(firewall), new TreeSet<>(replayed.stream().map(alert -> alert.get("id").asText()).toList()),
                "the same findings as the original run, by id");
        for (Alert original : firewall) {
            JsonNode again = replayed.stream().filter(alert -> alert.get("id").asText().equals(original.getId()))
                    .findFirst().orElseThrow();
            assertEquals(original.getType(), again.get("type").asText());
            assertEquals(original.getCount(), again.get("count").asLong(), original.getType() + " count");
        }
        assertTrue(ids(portMoved).stream().noneMatch(ids(firewall)::contains), "the cases share no finding");
        assertEquals(liveAlertsBefore, alertEnds(), "nothing was written to ww.alerts");
        try (Admin admin = Admin.create(clientConfig)) {
            // Deletion is committed by the controller before the broker's metadata shows it: allow it a moment.
            long deadline = System.nanoTime() + 15_000_000_000L;
            List<String> left;
            do {
                left = admin.listTopics().names().get().stream().filter(name -> name.startsWith("wirewatch-replay-"))
                        .toList();
            } while (!left.isEmpty() && System.nanoTime() < deadline && sleep(200));
            assertTrue(left.isEmpty(), "the replay's own topics are gone: " + left);
        }
    }

    private static boolean sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return true;
    }

    @Test
    void aRangeWithoutHistoryJudgesNothingAndSaysSo() {
        assertEquals(0, Main.run("replay", "--bootstrap-servers", broker.bootstrapServers(), "--from", "2001-01-01",
                "--to", "2001-01-02"));
        assertEquals(2, Main.run("replay", "--bootstrap-servers", broker.bootstrapServers(), "--from", "yesterday"));
        assertEquals(2, Main.run("replay", "--bootstrap-servers", broker.bootstrapServers(), "--from", "1h", "--to", "2h"));
    }

    private static List<Alert> analyze(Analysis analysis, Path dir) {
        return analysis.run(List.of(new CaptureInput("client", null, dir.resolve("client.pcap")),
                new CaptureInput("server", null, dir.resolve("server.pcap"))),
                NetworkTopology.load(dir.resolve("topology.yaml")), ProcessorConfig.DEFAULTS);
    }

    private static TreeSet<String> ids(List<Alert> alerts) {
        return new TreeSet<>(alerts.stream().map(Alert::getId).toList());
    }

    private static Map<TopicPartition, Long> alertEnds() {
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReads.consumer(clientConfig)) {
            return TopicReads.endOffsets(consumer, Topics.ALERTS);
        }
    }

    /** tshark's capture times of every frame: the independent reading of where the case lies in time. */
    private static List<Instant> captureTimes(Path capture) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("tshark", "-n", "-r", capture.toString(), "-T", "fields", "-e", "frame.time_epoch")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<Instant> times = new ArrayList<>();
        for (String line : new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                BigDecimal seconds = new BigDecimal(line.trim());
                times.add(Instant.ofEpochSecond(seconds.longValue(), seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue()));
            }
        }
        assertEquals(0, process.waitFor());
        return times;
    }
}
