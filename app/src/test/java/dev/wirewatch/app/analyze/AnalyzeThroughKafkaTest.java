package dev.wirewatch.app.analyze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.processor.TestCaptures;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Severity;
import dev.wirewatch.sensor.emit.EmissionMode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end through a real Kafka broker: captures replayed by sensors, the processor, alerts read back. The
 * expected results come from independent truth: tshark's reading of the same captures, and Zeek's conn.log.
 */
class AnalyzeThroughKafkaTest {
    private static EmbeddedBroker broker;
    private static Analysis analysis;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3));
        analysis = new Analysis(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                EmissionMode.CONTROL, new PrintStream(System.out, true, StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static Path samples() {
        Path folder = Path.of(System.getProperty("wirewatch.samples", "../deploy/samples"));
        assertTrue(Files.isDirectory(folder), "deploy/samples not found");
        return folder;
    }

    private static Path traces() {
        return TestCaptures.traces();
    }

    private static List<Alert> analyzeCase(String name) {
        Path dir = samples().resolve(name);
        return analysis.run(List.of(new CaptureInput("client", null, dir.resolve("client.pcap")),
                        new CaptureInput("server", null, dir.resolve("server.pcap"))),
                NetworkTopology.load(dir.resolve("topology.yaml")), ProcessorConfig.DEFAULTS);
    }

    /** Every HOST.pcap and HOST@IFACE.pcap of a sample folder. */
    private static List<Alert> analyzeFolder(String name) throws IOException {
        Path dir = samples().resolve(name);
        List<CaptureInput> captures = new ArrayList<>();
        try (var files = Files.list(dir)) {
            files.filter(file -> file.toString().endsWith(".pcap")).sorted().forEach(file -> captures.add(
                    CaptureInput.parse(file.getFileName().toString().replace(".pcap", "") + "=" + file)));
        }
        return analysis.run(captures, NetworkTopology.load(dir.resolve("topology.yaml")), ProcessorConfig.DEFAULTS);
    }

    /**
     * Cases analysed one after another on one broker (as the demo does) reuse addresses with other MACs: each analysis
     * must read only its own ARP from ww.l2, or the last one reports the earlier cases' hosts as moved.
     */
    @Test
    void anAnalysisSeesOnlyTheArpItSentItself() throws Exception {
        assertTrue(Files.isDirectory(samples().resolve("07-failover-announcement-blocked")), "sample case 7");
        analyzeFolder("08-redirect-ignored");
        List<Alert> alerts = analyzeFolder("07-failover-announcement-blocked");
        assertEquals(new TreeSet<>(List.of("ANNOUNCEMENT_NOT_PROPAGATED", "ARP_IP_MOVED")),
                new TreeSet<>(alerts.stream().map(Alert::getType).toList()), alerts.toString());
        alerts.forEach(alert -> assertEquals("192.0.2.100", alert.getIp(), alert.toString()));
    }

    /**
     * Seed case 2: the client's connections to the server's public address land on three flow partitions, and their
     * per-flow findings reach the service stage in whatever order the partitions run. The report must not depend on
     * that order: one alert for the host and address, with the same id, run after run.
     */
    @Test
    void theServerCapturingTheWrongInterfaceIsOneGapWithTheSameIdWhateverTheOrder() throws Exception {
        assertTrue(Files.isDirectory(samples().resolve("02-wrong-interface")), "sample case 2");
        Path client = samples().resolve("02-wrong-interface/client.pcap");
        long connections = tshark(client, "tcp.flags.syn==1 && tcp.flags.ack==0 && ip.dst==198.51.100.20",
                "tcp.stream").stream().distinct().count();
        assertTrue(connections >= 2, "several connections, so several partitions: " + connections);
        Set<String> ids = new TreeSet<>();
        for (int run = 0; run < 4; run++) {
            List<Alert> alerts = analyzeFolder("02-wrong-interface");
            assertEquals(1, alerts.size(), alerts.toString());
            assertEquals("SENSOR_COVERAGE_GAP", alerts.get(0).getType());
            assertEquals("198.51.100.20", alerts.get(0).getIp());
            ids.add(alerts.get(0).getId());
        }
        assertEquals(1, ids.size(), "the same alert every run: " + ids);
    }

    private static List<Alert> warnings(List<Alert> alerts) {
        return alerts.stream().filter(alert -> alert.getSeverity().ordinal() >= Severity.warning.ordinal()).toList();
    }

    /** tshark's lines for a display filter: the independent reading of a capture. */
    private static List<String> tshark(Path capture, String filter, String... fields) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", capture.toString(), "-Y", filter, "-T", "fields"));
        for (String field : fields) {
            command.add("-e");
            command.add(field);
        }
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        return output.lines().filter(line -> !line.isBlank()).toList();
    }

    @Test
    void synsDroppedByTheServersFirewallAreReportedAtTheServerHostAndNothingElseWarns() throws Exception {
        Path server = samples().resolve("01-firewall-drop/server.pcap");
        // Truth from tshark: the SYNs that reached the server's NIC and never got a SYN-ACK or RST from it.
        List<String> unanswered = tshark(server, "tcp.flags.syn==1 && tcp.flags.ack==0 && !tcp.analysis.reused_ports "
                + "&& tcp.stream in {" + String.join(" ", streamsWithoutAnswer(server)) + "}", "ip.dst", "tcp.dstport");
        assertTrue(unanswered.size() >= 2, "the sample holds retransmitted unanswered SYNs: " + unanswered);
        String service = unanswered.get(0).replace('\t', ':');

        List<Alert> alerts = warnings(analyzeCase("01-firewall-drop"));
        assertEquals(1, alerts.size(), "exactly one finding: " + alerts);
        Alert alert = alerts.get(0);
        assertEquals("UNANSWERED_SYN", alert.getType());
        assertEquals("DROPPED_AT_SERVER_HOST", alert.getCause());
        assertEquals("server", alert.getHost());
        assertEquals(service, alert.getServer());
        assertEquals(unanswered.size(), alert.getCount(), "every SYN tshark saw arrive");
    }

    @Test
    void behindAPortForwardTheDropIsStillPlacedAtTheServerHost() throws Exception {
        Path dir = Path.of(System.getProperty("wirewatch.captures", "../deploy/captures")).resolve("static-nat");
        assertTrue(Files.isDirectory(dir), "deploy/captures/static-nat not found");
        // The server's capture names itself 10.0.0.5:8443; the client's names the forward 198.51.100.80:443.
        List<String> unanswered = tshark(dir.resolve("server.pcap"), "tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.stream in {"
                + String.join(" ", streamsWithoutAnswer(dir.resolve("server.pcap"))) + "}", "ip.dst", "tcp.dstport");
        assertEquals(List.of("10.0.0.5\t8443"), unanswered.stream().distinct().toList());

        List<Alert> alerts = warnings(analysis.run(List.of(new CaptureInput("client", null, dir.resolve("client.pcap")),
                new CaptureInput("server", null, dir.resolve("server.pcap"))),
                NetworkTopology.load(dir.resolve("topology.yaml")), ProcessorConfig.DEFAULTS));
        assertEquals(1, alerts.size(), "exactly one finding: " + alerts);
        assertEquals("UNANSWERED_SYN", alerts.get(0).getType());
        assertEquals("DROPPED_AT_SERVER_HOST", alerts.get(0).getCause());
        assertEquals("server", alerts.get(0).getHost());
        assertEquals("198.51.100.80:443", alerts.get(0).getServer());
        assertEquals(unanswered.size(), alerts.get(0).getCount(), "every SYN tshark saw arrive at the server");
    }

    /** tcp.stream numbers in which the server sent neither SYN-ACK nor RST. */
    private static List<String> streamsWithoutAnswer(Path capture) throws Exception {
        TreeSet<String> all = new TreeSet<>(tshark(capture, "tcp.flags.syn==1 && tcp.flags.ack==0", "tcp.stream"));
        all.removeAll(tshark(capture, "(tcp.flags.syn==1 && tcp.flags.ack==1) || tcp.flags.reset==1", "tcp.stream"));
        return List.copyOf(all);
    }

    @Test
    void refusedSynsToTheMovedServiceAreOneAlertWithThePortThatAccepts() throws Exception {
        Path client = samples().resolve("03-port-moved/client.pcap");
        List<String> resets = tshark(client, "tcp.flags.reset==1 && tcp.srcport==8080", "ip.src", "ip.dst");
        TreeSet<String> clients = new TreeSet<>();
        resets.forEach(line -> clients.add(line.split("\t")[1]));
        TreeSet<Integer> accepting = new TreeSet<>();
        tshark(client, "tcp.flags.syn==1 && tcp.flags.ack==1", "tcp.srcport").forEach(port -> accepting.add(Integer.valueOf(port)));

        List<Alert> alerts = warnings(analyzeCase("03-port-moved"));
        assertEquals(1, alerts.size(), "exactly one finding: " + alerts);
        Alert alert = alerts.get(0);
        assertEquals("CONNECTION_REFUSED", alert.getType());
        assertEquals(resets.get(0).split("\t")[0] + ":8080", alert.getServer());
        assertEquals(resets.size(), alert.getCount());
        assertEquals(clients.size(), alert.getDistinctClients());
        assertEquals(List.copyOf(accepting), alert.getAcceptingPorts());
    }

    @Test
    void eachPop3ServerThatZeekSawRejectIsOneAlertWithZeeksCountAndReplayGivesTheSameIds() throws Exception {
        Map<String, Long> zeekRejected = new TreeMap<>();
        for (String line : Files.readAllLines(traces().resolve("zeek_pop3_REJ.conn.log"))) {
            String[] columns = line.split("\t");
            if (!line.startsWith("#") && columns.length > 11 && columns[11].equals("REJ")) {
                zeekRejected.merge(columns[4] + ":" + columns[5], 1L, Long::sum);
            }
        }
        List<CaptureInput> input = List.of(new CaptureInput("client", null, traces().resolve("zeek_pop3_REJ.pcap")));
        List<Alert> first = analysis.run(input, NetworkTopology.EMPTY, ProcessorConfig.DEFAULTS);
        Map<String, Long> reported = new TreeMap<>();
        first.forEach(alert -> reported.merge(alert.getServer(), alert.getCount(), Long::sum));
        assertEquals(zeekRejected, reported);
        assertEquals(zeekRejected.size(), first.size(), "one alert per server");

        List<Alert> second = analysis.run(input, NetworkTopology.EMPTY, ProcessorConfig.DEFAULTS);
        assertEquals(first.stream().map(Alert::getId).toList(), second.stream().map(Alert::getId).toList(),
                "alert ids derive from the finding, not from the run");
    }
}
