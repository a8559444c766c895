package dev.wirewatch.processor.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.ArpEvent;
import dev.wirewatch.record.FlowRecord;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.VantageView;
import dev.wirewatch.sensor.FileEventSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * ww.l2 and ww.packets feed one task, so its stream time is the later of the two. A consumer catching up (a cold
 * start, a lagging processor) can take a ww.l2 batch a minute ahead of the ww.packets records of the same moment;
 * the flow stage must still judge by the packets' own time, or it judges each flow before the second vantage's
 * packets and ticks arrive (the soak saw NO_ANSWER for DROPPED_AT_SERVER_HOST, one refusal counted twice, and
 * coverage gaps that were not). The port forward recorded by real kernels (deploy/captures/static-nat), with the
 * client's own ARP a minute later taken first, must give what tshark finds in it.
 */
class Layer2AheadOfPacketsTest {
    private static final long MINUTE_MICROS = 60_000_000L;

    @Test
    void aLayer2RecordAMinuteAheadChangesNoVerdict() throws Exception {
        NetworkTopology network = NetworkTopology.load(StaticNatCaptureTest.CAPTURES.resolve("topology.yaml"));

        try (ProcessorDriver driver = new ProcessorDriver(network, ProcessorConfig.DEFAULTS)) {
            var events = FileEventSource.readAll(StaticNatCaptureTest.CAPTURES.resolve("client.pcap"), "client");
            long end = events.stream().filter(PacketEvent.class::isInstance).mapToLong(e -> ((PacketEvent) e).getTsMicros())
                    .max().orElseThrow();
            ArpEvent arp = events.stream().filter(ArpEvent.class::isInstance).map(ArpEvent.class::cast).reduce((a, b) -> b)
                    .orElseThrow();
            driver.send(ArpEvent.newBuilder(arp).setTsMicros(end + MINUTE_MICROS).build()); // ww.l2, fetched first
            // Two sensors are two producers: each sends a second's records, then its tick; the other's second lands
            // after it. Each side is replayed on its own and the two merged second by second, the client's first.
            List<SensorChunks.Chunk> chunks = new ArrayList<>();
            for (String host : List.of("client", "server")) {
                chunks.addAll(SensorChunks.of(StaticNatCaptureTest.CAPTURES.resolve(host + ".pcap"), host));
            }
            chunks.sort(Comparator.comparingLong(SensorChunks.Chunk::tickMicros).thenComparing(SensorChunks.Chunk::host));
            var sink = driver.sink();
            chunks.forEach(chunk -> chunk.sendTo(sink));
            assertBothSidesSawEachConnectionAndOnlyTheDrop(driver);
        }
    }

    /**
     * What tshark finds in the capture, told by the processor: each connection one flow seen by both hosts, the one
     * the server's firewall dropped an UNANSWERED_SYN there, nothing else wrong, no sensor silent and none blamed
     * for a coverage gap.
     */
    static void assertBothSidesSawEachConnectionAndOnlyTheDrop(ProcessorDriver driver) throws Exception {
        Map<Integer, Boolean> answered = StaticNatCaptureTest.connections("server.pcap");
        List<Integer> dropped = answered.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
        assertEquals(1, dropped.size(), "the capture holds one connection the server's firewall dropped");
        List<Alert> alerts = driver.alerts();
        Map<Integer, Set<String>> vantages = new TreeMap<>();
        List<FlowRecord> flows = driver.flows();
        for (FlowRecord flow : flows) {
            vantages.merge(flow.getClientPort(), flow.getVantages().stream().map(VantageView::getHost)
                    .collect(Collectors.toSet()), (a, b) -> Set.of("split: " + a + " and " + b));
        }
        assertEquals(answered.keySet(), vantages.keySet(), "one flow per connection: " + flows);
        vantages.forEach((port, hosts) -> assertEquals(Set.of("client", "server"), hosts, "port " + port + ": " + flows));
        assertEquals(List.of("UNANSWERED_SYN:DROPPED_AT_SERVER_HOST:server:" + dropped.get(0)),
                alerts.stream().filter(alert -> !alert.getType().startsWith("SENSOR_"))
                        .map(alert -> alert.getType() + ":" + alert.getCause() + ":" + alert.getHost() + ":"
                                + alert.getClient().split(":")[1]).toList(),
                "the SYNs reached the server behind the forward, and nothing else is wrong: " + alerts);
        assertTrue(alerts.stream().noneMatch(alert -> alert.getSummary().contains("sent nothing")),
                "no sensor went silent: " + alerts);
        assertTrue(alerts.stream().noneMatch(alert -> alert.getType().equals("SENSOR_COVERAGE_GAP")),
                "each sensor saw its host's flows: " + alerts);
    }
}
