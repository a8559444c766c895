package dev.wirewatch.app.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wirewatch.app.Main;
import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.app.export.Tshark;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Severity;
import dev.wirewatch.schemas.AvroSerde;
import dev.wirewatch.schemas.Topics;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's answers against tshark's reading of the same packets: seed case 1's client capture and the server's
 * capture with the first SYN to 8080 cut out (as if lost on the way), replayed by sensors into a real broker, and an
 * alert about that connection on ww.alerts. The ladder joins each SYN as both vantages recorded it, draws the one the
 * server never recorded as lost after the client, and has no SYN-ACK; the evidence is a pcapng tshark reads with every
 * SYN; a new revision reaches an open event stream; nothing answers without the login.
 */
class ConsoleApiTest {
    private static final Path CASE = Path.of(System.getProperty("user.dir")).getParent()
            .resolve("deploy/samples/01-firewall-drop");
    private static final String SYNS_TO_8080 = "tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.dstport==8080";
    private static final String PASSWORD = "correct horse battery staple";

    @TempDir
    static Path dir;
    private static EmbeddedBroker broker;
    private static ConsoleServer server;
    private static Alert alert;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void twoVantagesAndAnAlertOnABroker() throws Exception {
        broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3));
        try (Admin admin = Admin.create(broker.adminClientConfig())) {
            TopicSetup.ensure(admin, 3, Map.of());
        }
        Path serverCut = dir.resolve("server-cut.pcap");
        run("editcap", CASE.resolve("server.pcap").toString(), serverCut.toString(), firstSynFrame());
        replay("client", CASE.resolve("client.pcap"));
        replay("server", serverCut);
        List<String> syns = Tshark.fields(CASE.resolve("client.pcap"), List.of("-Y", SYNS_TO_8080),
                List.of("frame.time_epoch", "ip.src", "tcp.srcport"));
        String[] first = syns.get(0).split("\t");
        String[] last = syns.get(syns.size() - 1).split("\t");
        alert = Alert.newBuilder().setId("c0ffee0001").setType("UNANSWERED_SYN").setSeverity(Severity.warning)
                .setCause("DROPPED_AT_SERVER_HOST").setHost("server").setClient(first[1] + ":" + first[2])
                .setServer("198.51.100.20:8080").setFirstSeenMicros(micros(first[0])).setLastSeenMicros(micros(last[0]))
                .setCount(syns.size()).setSummary("SYNs to 198.51.100.20:8080 were never answered")
                .setHint("check the server's firewall").setRevision(1).build();
        publish(alert);
        Path users = dir.resolve("users");
        Files.writeString(users, Logins.line("operator", PASSWORD) + "\n");
        ConsoleApi api = new ConsoleApi(broker.adminClientConfig(), NetworkTopology.load(CASE.resolve("topology.yaml")),
                Duration.ofMinutes(15), "wirewatch-processor", "wirewatch-sink");
        server = new ConsoleServer(new InetSocketAddress("127.0.0.1", 0), null, Logins.load(users), api);
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void theLadderJoinsEachSynAsBothVantagesRecordedItAndDrawsTheOneTheServerNeverSawAsLost() throws Exception {
        JsonNode ladder = awaitLadder(alert.getId());
        int clientSyns = Tshark.fields(CASE.resolve("client.pcap"), List.of("-Y", SYNS_TO_8080), List.of("frame.number")).size();
        int serverSyns = Tshark.fields(dir.resolve("server-cut.pcap"), List.of("-Y", SYNS_TO_8080), List.of("frame.number")).size();
        List<JsonNode> syns = new ArrayList<>();
        ladder.path("arrows").forEach(arrow -> {
            if (arrow.path("flags").asText().equals("S")) {
                syns.add(arrow);
            }
        });
        assertEquals(clientSyns, syns.size(), "one arrow per SYN the client sent: " + ladder);
        assertEquals("client/", ladder.path("vantages").get(0).path("id").asText(), "the client's side first");
        long both = syns.stream().filter(arrow -> arrow.path("hops").size() == 2).count();
        assertEquals(serverSyns, both, "every SYN the server recorded is drawn through both vantages");
        List<JsonNode> lost = syns.stream().filter(arrow -> !arrow.path("lost_after").isNull()).toList();
        assertEquals(clientSyns - serverSyns, lost.size(), "the SYN cut from the server's capture is lost: " + lost);
        assertEquals("client/", lost.get(0).path("lost_after").asText());
        assertEquals(syns.get(0), lost.get(0), "and it was the first");
        ladder.path("arrows").forEach(arrow -> assertTrue(!arrow.path("flags").asText().equals("SA"),
                "no SYN-ACK left the server: " + arrow));
    }

    /**
     * A bulk transfer recorded once and shipped by two sensors, one in full mode and one in control mode (which
     * summarises steady data instead of shipping each header): both saw every packet, so nothing may be drawn as
     * lost, and the control-mode sensor's summaries appear as summaries.
     */
    @Test
    void packetsAControlModeSensorSummarisedAreNotDrawnAsLost() throws Exception {
        Path bulk = CASE.getParent().getParent().resolve("captures/bulk-transfer/client.pcap");
        assertEquals(0, Main.run("sensor", "--bootstrap-servers", broker.bootstrapServers(), "--host", "near", "--mode",
                "full", "--read", bulk.toString()));
        assertEquals(0, Main.run("sensor", "--bootstrap-servers", broker.bootstrapServers(), "--host", "far", "--mode",
                "control", "--read", bulk.toString()));
        String flow = "tcp.port==50090 && tcp.port==5002";
        List<String> frames = Tshark.fields(bulk, List.of("-Y", flow), List.of("frame.time_epoch"));
        Alert transfer = Alert.newBuilder(alert).setId("c0ffee0002").setType("HALF_OPEN_SESSION")
                .setClient("10.232.0.1:50090").setServer("10.232.0.2:5002").setFirstSeenMicros(micros(frames.get(0)))
                .setLastSeenMicros(micros(frames.get(frames.size() - 1))).build();
        publish(transfer);
        JsonNode ladder = awaitLadder(transfer.getId());
        assertTrue(ladder.path("summaries").size() > 0, "the control-mode sensor summarised the steady data");
        assertEquals(frames.size(), ladder.path("arrows").size(), "one arrow per packet of the flow (tshark's count)");
        List<JsonNode> lost = new ArrayList<>();
        ladder.path("arrows").forEach(arrow -> {
            if (!arrow.path("lost_after").isNull()) {
                lost.add(arrow);
            }
        });
        assertEquals(List.of(), lost, "both sensors saw every packet");
    }

    @Test
    void theEvidenceIsAPcapngTsharkReadsWithEverySynFromBothVantages() throws Exception {
        HttpResponse<byte[]> response = http.send(get("/api/alerts/" + alert.getId() + "/evidence.pcapng", true),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        Path file = dir.resolve("evidence.pcapng");
        Files.write(file, response.body());
        int expected = Tshark.fields(CASE.resolve("client.pcap"), List.of("-Y", SYNS_TO_8080), List.of("frame.number")).size()
                + Tshark.fields(dir.resolve("server-cut.pcap"), List.of("-Y", SYNS_TO_8080), List.of("frame.number")).size();
        assertEquals(expected, Tshark.fields(file, List.of("-Y", SYNS_TO_8080), List.of("frame.number")).size());
    }

    @Test
    void aRevisionReachesAnOpenEventStream() throws Exception {
        HttpResponse<InputStream> stream = http.send(get("/api/events", true), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, stream.statusCode());
        assertTrue(stream.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        CompletableFuture<String> revised = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.startsWith("data: ") && line.contains("\"revision\":2")) {
                        return line.substring(6);
                    }
                }
                return null;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(500); // the stream is registered once its first comment went out
        publish(Alert.newBuilder(alert).setRevision(2).setCount(alert.getCount() + 1).build());
        JsonNode event = ConsoleJson.JSON.readTree(revised.get(30, TimeUnit.SECONDS));
        assertEquals(alert.getId(), event.path("id").asText());
        assertEquals(alert.getCount() + 1, event.path("count").asLong());
    }

    @Test
    void nothingAnswersWithoutTheLogin() throws Exception {
        for (String path : List.of("/", "/api/alerts", "/api/alerts/" + alert.getId() + "/evidence.pcapng")) {
            assertEquals(401, http.send(get(path, false), HttpResponse.BodyHandlers.discarding()).statusCode(), path);
        }
        HttpRequest wrong = HttpRequest.newBuilder(uri("/api/alerts")).header("Authorization", "Basic "
                + Base64.getEncoder().encodeToString("operator:wrong".getBytes(StandardCharsets.UTF_8))).build();
        assertEquals(401, http.send(wrong, HttpResponse.BodyHandlers.discarding()).statusCode());
        HttpResponse<String> alerts = http.send(get("/api/alerts", true), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, alerts.statusCode());
        assertTrue(alerts.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"));
    }

    private JsonNode awaitLadder(String id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            HttpResponse<String> response = http.send(get("/api/alerts/" + id + "/ladder", true),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                JsonNode ladder = ConsoleJson.JSON.readTree(response.body());
                if (ladder.path("vantages").size() == 2) {
                    return ladder;
                }
            }
            assertTrue(System.nanoTime() < deadline, "no ladder with both vantages: " + response.body());
            Thread.sleep(500);
        }
    }

    private static HttpRequest get(String path, boolean login) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
        if (login) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    ("operator:" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
        }
        return request.build();
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static String firstSynFrame() throws Exception {
        return Tshark.fields(CASE.resolve("server.pcap"), List.of("-Y", SYNS_TO_8080), List.of("frame.number")).get(0);
    }

    private static void replay(String host, Path capture) {
        assertEquals(0, Main.run("sensor", "--bootstrap-servers", broker.bootstrapServers(), "--host", host, "--read",
                capture.toString()), "sensor --read " + capture);
    }

    private static void publish(Alert alert) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.ALERTS, alert.getId().getBytes(StandardCharsets.UTF_8),
                    AvroSerde.of(Alert.class).serializer().serialize(Topics.ALERTS, alert))).get(30, TimeUnit.SECONDS);
        }
    }

    private static long micros(String epochSeconds) {
        Instant instant = Instant.ofEpochSecond(0).plusNanos(Math.round(Double.parseDouble(epochSeconds) * 1e9));
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1000;
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + output);
    }
}
