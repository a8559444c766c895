package dev.wirewatch.app.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.Main;
import dev.wirewatch.app.analyze.Analysis;
import dev.wirewatch.app.analyze.CaptureInput;
import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.sensor.emit.EmissionMode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: seed case 1 (both hosts captured) analysed through a real broker, so ww.packets and ww.alerts hold real
 * records, then exported. The truth is tshark's reading of the original captures: the exported file must hold the
 * same packets, fields and microsecond timestamps, each under its host's interface.
 */
class ExportEvidenceThroughKafkaTest {
    /** What tshark prints of each packet; the exported headers must read the same as the captured ones. */
    private static final List<String> FIELDS = List.of("frame.time_epoch", "eth.src", "eth.dst", "ip.src", "ip.dst",
            "ip.ttl", "ip.len", "tcp.srcport", "tcp.dstport", "tcp.flags", "tcp.seq_raw", "tcp.ack_raw", "tcp.len",
            "tcp.window_size_value", "tcp.options");

    /** The file's order: capture time, then the vantage's name. */
    private static final Comparator<String> BY_TIME_AND_INTERFACE =
            Comparator.comparing((String line) -> line.split("\t")[1]).thenComparing(line -> line.split("\t")[0]);

    private static EmbeddedBroker broker;
    private static List<Alert> alerts;
    private static Path caseDir;

    @TempDir
    Path temp;

    @BeforeAll
    static void analyseTheFirewallCase() {
        caseDir = Path.of(System.getProperty("wirewatch.samples", "../deploy/samples")).resolve("01-firewall-drop");
        assertTrue(Files.isDirectory(caseDir), "deploy/samples/01-firewall-drop not found");
        broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3));
        // Case 3 was captured just after case 1 and is analysed first, as a shared cluster holds replays: case 1's
        // records then follow later capture times in every partition, and offsetsForTimes of its window's end points
        // before them. --mode full: every header reaches ww.packets, so exports compare packet for packet.
        alerts = new ArrayList<>(analyse(broker, EmissionMode.FULL, portMovedDir()));
        alerts.addAll(analyse(broker, EmissionMode.FULL, caseDir));
    }

    private static Path portMovedDir() {
        return caseDir.resolveSibling("03-port-moved");
    }

    private static List<Alert> analyse(EmbeddedBroker on, EmissionMode mode, Path dir) {
        Analysis analysis = new Analysis(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, on.bootstrapServers()),
                mode, new PrintStream(System.out, true, StandardCharsets.UTF_8));
        return analysis.run(List.of(new CaptureInput("client", null, dir.resolve("client.pcap")),
                        new CaptureInput("server", null, dir.resolve("server.pcap"))),
                NetworkTopology.load(dir.resolve("topology.yaml")), ProcessorConfig.DEFAULTS);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void anUnansweredSynAlertExportsEverySynAsBothHostsCapturedIt() throws Exception {
        Alert alert = alerts.stream().filter(found -> found.getType().equals("UNANSWERED_SYN")).findFirst()
                .orElseThrow(() -> new AssertionError("no UNANSWERED_SYN in " + alerts));
        Path file = temp.resolve("alert.pcapng");
        Outcome outcome = run("export", "--bootstrap-servers", broker.bootstrapServers(), "--alert", alert.getId(),
                "-w", file.toString());
        assertEquals(0, outcome.code(), outcome.err());

        String clientPort = alert.getClient().substring(alert.getClient().lastIndexOf(':') + 1);
        List<String> expected = truth("tcp.port==" + clientPort);
        assertTrue(expected.size() >= 4, "the case holds retransmitted SYNs at both hosts: " + expected);
        List<String> exported = read(file);
        assertEquals(expected, exported);
        assertEquals(new TreeSet<>(List.of("client/eth0", "server/eth0")), interfaces(exported));
        assertTrue(outcome.err().contains(expected.size() + " packets"), outcome.err());
    }

    @Test
    void aFlowExportsEveryHeaderOfBothVantagesInCaptureTimeOrder() throws Exception {
        String port = tshark(caseDir.resolve("client.pcap"), "tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.dstport==443",
                "tcp.srcport").get(0);
        Path file = temp.resolve("flow.pcapng");
        Outcome outcome = run("export", "--bootstrap-servers", broker.bootstrapServers(),
                "--flow", "tcp:198.51.100.10:" + port + "-198.51.100.20:443", "-w", file.toString());
        assertEquals(0, outcome.code(), outcome.err());

        List<String> expected = truth("tcp.port==" + port);
        assertTrue(expected.stream().anyMatch(line -> line.contains("\t0x0018\t")), "data packets too: " + expected);
        assertEquals(expected, read(file));

        // The alert's way of naming the ends, server first, is the same flow.
        Path reversed = temp.resolve("reversed.pcapng");
        assertEquals(0, run("export", "--bootstrap-servers", broker.bootstrapServers(),
                "--flow", "198.51.100.20:443,198.51.100.10:" + port, "-w", reversed.toString()).code());
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(reversed));
    }

    /**
     * A refused service is every flow to it in the alert's window, from every partition: the packets of both cases'
     * captures to or from the service within [first_seen - margin, last_seen + margin], and no others.
     */
    @Test
    void aRefusedServiceExportsEveryFlowToItWithinTheAlertsWindow() throws Exception {
        Alert alert = alerts.stream().filter(found -> found.getType().equals("CONNECTION_REFUSED")).findFirst()
                .orElseThrow(() -> new AssertionError("no CONNECTION_REFUSED in " + alerts));
        Path file = temp.resolve("refused.pcapng");
        Outcome outcome = run("export", "--bootstrap-servers", broker.bootstrapServers(), "--alert", alert.getId(),
                "--margin", "2s", "-w", file.toString());
        assertEquals(0, outcome.code(), outcome.err());

        String[] server = alert.getServer().split(":");
        String filter = String.format(java.util.Locale.ROOT,
                "ip.addr==%s && tcp.port==%s && frame.time_epoch >= %.6f && frame.time_epoch <= %.6f", server[0],
                server[1], (alert.getFirstSeenMicros() - 2_000_000) / 1e6, (alert.getLastSeenMicros() + 2_000_000) / 1e6);
        List<String> expected = new ArrayList<>(truth(caseDir, filter));
        expected.addAll(truth(portMovedDir(), filter));
        expected.sort(BY_TIME_AND_INTERFACE);
        assertTrue(expected.stream().filter(line -> line.contains("\t0x0014\t")).count() >= 2, "RSTs: " + expected);
        assertEquals(expected, read(file));
    }

    /**
     * Sensors in control mode summarise steady data packets: the flow's export holds only packets that were captured
     * (each one as tshark read it), every SYN, FIN and RST among them, and says how many summaries it left out.
     */
    @Test
    void fromControlModeSensorsAFlowIsItsStateChangingPacketsAndTheSummariesAreCounted() throws Exception {
        String port = tshark(caseDir.resolve("client.pcap"), "tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.dstport==443",
                "tcp.srcport").get(0);
        List<String> exported;
        Outcome outcome;
        try (EmbeddedBroker controlBroker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3))) {
            analyse(controlBroker, EmissionMode.CONTROL, caseDir);
            Path file = temp.resolve("control.pcapng");
            outcome = run("export", "--bootstrap-servers", controlBroker.bootstrapServers(),
                    "--flow", "tcp:198.51.100.10:" + port + "-198.51.100.20:443", "-w", file.toString());
            assertEquals(0, outcome.code(), outcome.err());
            exported = read(file);
        }
        List<String> all = truth("tcp.port==" + port);
        assertTrue(all.containsAll(exported), "only packets the hosts captured, as captured: " + exported);
        List<String> synFinRst = truth("tcp.port==" + port + " && (tcp.flags.syn==1 || tcp.flags.fin==1 || tcp.flags.reset==1)");
        assertTrue(exported.containsAll(synFinRst), "every SYN, FIN and RST: " + exported);
        int left = all.size() - exported.size();
        assertTrue(left == 0 == !outcome.err().contains("flow summar"), left + " packets left out; " + outcome.err());
    }

    @Test
    void aFlowWithoutAPortIsABadUsageNamingTheSyntax() {
        Outcome outcome = run("export", "--bootstrap-servers", broker.bootstrapServers(),
                "--flow", "tcp:198.51.100.10-198.51.100.20:443", "-w", temp.resolve("x.pcapng").toString());
        assertEquals(2, outcome.code(), outcome.err());
        assertTrue(outcome.err().contains("--flow 'tcp:198.51.100.10-198.51.100.20:443' is not a flow: expected"),
                outcome.err());
        assertFalse(outcome.err().contains("\tat "), "no stack trace: " + outcome.err());
        assertFalse(Files.exists(temp.resolve("x.pcapng")));
    }

    @Test
    void anUnknownAlertOrAFlowNobodySawIsABadUsage() {
        Outcome unknown = run("export", "--bootstrap-servers", broker.bootstrapServers(), "--alert", "no-such-alert",
                "-w", temp.resolve("a.pcapng").toString());
        assertEquals(2, unknown.code(), unknown.err());
        assertTrue(unknown.err().contains("no alert with id 'no-such-alert' on ww.alerts"), unknown.err());

        Outcome nothing = run("export", "--bootstrap-servers", broker.bootstrapServers(),
                "--flow", "udp:[2001:db8::1]:53-[2001:db8::2]:5353", "-w", temp.resolve("b.pcapng").toString());
        assertEquals(2, nothing.code(), nothing.err());
        assertTrue(nothing.err().contains("no packets of udp [2001:db8::1]:53 <-> [2001:db8::2]:5353"), nothing.err());
        assertFalse(Files.exists(temp.resolve("b.pcapng")));
    }

    /** tshark's reading of both original captures, each line under the name export gives its vantage, by time. */
    private static List<String> truth(String filter) throws Exception {
        return truth(caseDir, filter);
    }

    private static List<String> truth(Path dir, String filter) throws Exception {
        List<String> lines = new ArrayList<>();
        for (String host : List.of("client", "server")) {
            tshark(dir.resolve(host + ".pcap"), filter, FIELDS.toArray(String[]::new))
                    .forEach(line -> lines.add(host + "/eth0\t" + line));
        }
        lines.sort(BY_TIME_AND_INTERFACE);
        return lines;
    }

    private static List<String> read(Path exported) throws Exception {
        List<String> fields = new ArrayList<>(List.of("frame.interface_name"));
        fields.addAll(FIELDS);
        return tshark(exported, "", fields.toArray(String[]::new));
    }

    private static TreeSet<String> interfaces(List<String> lines) {
        TreeSet<String> names = new TreeSet<>();
        lines.forEach(line -> names.add(line.split("\t")[0]));
        return names;
    }

    private static List<String> tshark(Path capture, String filter, String... fields) throws Exception {
        return Tshark.fields(capture, filter.isEmpty() ? List.of() : List.of("-Y", filter), List.of(fields));
    }

    private record Outcome(int code, String err) {}

    private static Outcome run(String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Outcome(code, stderr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(err);
        }
    }
}
