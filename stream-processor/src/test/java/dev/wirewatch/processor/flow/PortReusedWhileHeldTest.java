package dev.wirewatch.processor.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.FlowRecord;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.VantageView;
import dev.wirewatch.sensor.FileEventSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A client reuses its port while the processor holds the previous connection for the server's sensor, whose path
 * to Kafka is cut (its records come 90 s late). Recorded by real kernels (deploy/captures/port-reuse): three
 * connections from 10.1.0.9:40000 to 10.1.0.5:8080, 2 s apart. Each must be one flow seen from both sides with the
 * server's packets as tshark counts them per TCP stream — not the first closed one-sided at the reuse and the
 * server's late packets of it opening flows of their own.
 */
class PortReusedWhileHeldTest {
    private static final Path CAPTURES = Path.of(System.getProperty("wirewatch.captures", "../deploy/captures"))
            .resolve("port-reuse");

    @Test
    void eachConnectionOnAReusedPortIsOneFlowSeenFromBothSides() throws Exception {
        List<FlowRecord> flows;
        try (ProcessorDriver driver = new ProcessorDriver(NetworkTopology.load(CAPTURES.resolve("topology.yaml")),
                ProcessorConfig.DEFAULTS)) {
            LaggingSensorFlowsTest.serverCutOff(driver, packets("client.pcap", "client"), packets("server.pcap", "server"));
            flows = driver.flows().stream().sorted(Comparator.comparingLong(FlowRecord::getFirstSeenMicros)).toList();
        }
        Map<Integer, Long> tsharkPerStream = tsharkPacketsPerStream("server.pcap");
        assertEquals(3, tsharkPerStream.size(), "the capture holds three connections on one port: " + tsharkPerStream);
        assertEquals(tsharkPerStream.size(), flows.size(), "one flow per connection: " + flows);
        List<Long> fromServer = flows.stream().map(flow -> flow.getVantages().stream()
                .filter(view -> view.getHost().equals("server"))
                .mapToLong(view -> view.getOrigPackets() + view.getRespPackets()).sum()).toList();
        assertEquals(List.copyOf(tsharkPerStream.values()), fromServer, "the server's packets per connection");
        for (FlowRecord flow : flows) {
            assertEquals(40000, flow.getClientPort());
            assertEquals(List.of("client", "server"), flow.getVantages().stream().map(VantageView::getHost).sorted()
                    .toList(), "seen from both sides: " + flow);
        }
    }

    private static List<PacketEvent> packets(String file, String host) {
        return FileEventSource.readAll(CAPTURES.resolve(file), host).stream().filter(PacketEvent.class::isInstance)
                .map(PacketEvent.class::cast).toList();
    }

    /** tshark's TCP stream index (a SYN on a closed port pair starts a new one) -> packets, in stream order. */
    private static Map<Integer, Long> tsharkPacketsPerStream(String file) throws Exception {
        Process tshark = new ProcessBuilder("tshark", "-n", "-r", CAPTURES.resolve(file).toString(), "-Y", "tcp", "-T",
                "fields", "-e", "tcp.stream").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Map<Integer, Long> perStream = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .lines().filter(line -> !line.isBlank()).collect(Collectors.groupingBy(Integer::parseInt, TreeMap::new,
                        Collectors.counting()));
        assertTrue(tshark.waitFor(60, TimeUnit.SECONDS));
        return perStream;
    }
}
