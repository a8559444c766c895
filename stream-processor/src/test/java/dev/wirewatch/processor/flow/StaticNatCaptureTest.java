package dev.wirewatch.processor.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.detect.UnansweredSynDetector;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.FlowRecord;
import dev.wirewatch.record.VantageView;
import dev.wirewatch.schemas.NatTable;
import dev.wirewatch.sensor.CaptureMerge;
import dev.wirewatch.sensor.FileEventSource;
import dev.wirewatch.sensor.emit.EmissionMode;
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
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A port forward recorded by real kernels (deploy/captures/static-nat): the client's capture names the server
 * 198.51.100.80:443, the server's capture 10.0.0.5:8443. What must be joined, and what must be found, is read from
 * the two captures by tshark: a DNAT keeps the client's port, so a connection is the same client port in both files;
 * the dropped one is the client port whose SYNs the server saw and never answered.
 */
class StaticNatCaptureTest {
    static final Path CAPTURES = Path.of(System.getProperty("wirewatch.captures", "../deploy/captures"))
            .resolve("static-nat");

    private record Output(List<FlowRecord> flows, List<Alert> alerts) {}

    /** Client port -> whether the server's SYN got a SYN-ACK, for the connections tshark finds in a capture. */
    static Map<Integer, Boolean> connections(String capture) throws Exception {
        Process tshark = new ProcessBuilder("tshark", "-n", "-r", CAPTURES.resolve(capture).toString(), "-Y",
                "tcp.flags.syn==1", "-T", "fields", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.flags.ack")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String[]> rows = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(line -> !line.isBlank()).map(line -> line.split("\t")).toList();
        assertTrue(tshark.waitFor(60, TimeUnit.SECONDS));
        Map<Integer, Boolean> answered = new TreeMap<>();
        for (String[] row : rows) {
            boolean synAck = row[2].equals("1") || row[2].equalsIgnoreCase("true");
            int clientPort = Integer.parseInt(synAck ? row[1] : row[0]);
            answered.merge(clientPort, synAck, Boolean::logicalOr);
        }
        return answered;
    }

    private static Output analyze(NetworkTopology network, NatTable sensorsNat) {
        List<CaptureMerge.NamedSource> sources = new ArrayList<>();
        try (ProcessorDriver driver = new ProcessorDriver(network, ProcessorConfig.DEFAULTS)) {
            for (String host : List.of("client", "server")) {
                sources.add(new CaptureMerge.NamedSource(host,
                        new FileEventSource(CAPTURES.resolve(host + ".pcap"), host, "eth0")));
            }
            CaptureMerge.replay(sources, driver.sink(sensorsNat), EmissionMode.CONTROL, count -> { });
            return new Output(driver.flows(), driver.alerts());
        } finally {
            sources.forEach(source -> source.events().close());
        }
    }

    private static Set<String> hosts(FlowRecord flow) {
        return flow.getVantages().stream().map(VantageView::getHost).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void theClientsPublicViewAndTheServersPrivateViewAreOneFlow() throws Exception {
        assertTrue(Files.isDirectory(CAPTURES), "deploy/captures/static-nat not found");
        Map<Integer, Boolean> atClient = connections("client.pcap");
        Map<Integer, Boolean> atServer = connections("server.pcap");
        assertEquals(atClient.keySet(), atServer.keySet(), "every connection went through the forward");
        List<Integer> dropped = atServer.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
        assertEquals(1, dropped.size(), "the capture holds one connection the server's firewall dropped");

        NetworkTopology network = NetworkTopology.load(CAPTURES.resolve("topology.yaml"));
        Output output = analyze(network, network.nat());

        Map<Integer, FlowRecord> flows = new TreeMap<>();
        output.flows().forEach(flow -> flows.put(flow.getClientPort(), flow));
        assertEquals(atClient.keySet(), flows.keySet(), "one flow per connection: " + output.flows());
        flows.values().forEach(flow -> {
            assertEquals(Set.of("client", "server"), hosts(flow), "both vantages joined: " + flow);
            assertEquals("198.51.100.80", flow.getServer(), "named by the address clients reach");
        });
        assertEquals(List.of(dropped.get(0) + ":DROPPED_AT_SERVER_HOST:server:198.51.100.80:443"),
                output.alerts().stream().filter(alert -> alert.getType().equals(UnansweredSynDetector.TYPE))
                        .map(alert -> alert.getClient().split(":")[1] + ":" + alert.getCause() + ":" + alert.getHost()
                                + ":" + alert.getServer()).toList(),
                "the SYNs reached the server's NIC behind the forward: " + output.alerts());
    }

    @Test
    void sensorsWithoutTheNatRulesCannotBeJoined() {
        assertTrue(Files.isDirectory(CAPTURES), "deploy/captures/static-nat not found");
        Output output = analyze(NetworkTopology.load(CAPTURES.resolve("topology.yaml")), NatTable.NONE);
        assertFalse(output.flows().isEmpty());
        output.flows().forEach(flow -> assertEquals(1, hosts(flow).size(), "one vantage per flow: " + flow));
    }
}
