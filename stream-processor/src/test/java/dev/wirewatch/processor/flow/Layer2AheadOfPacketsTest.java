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
import dev.wirewatch.sensor.CaptureMerge;
import dev.wirewatch.sensor.FileEventSource;
import dev.wirewatch.sensor.emit.EmissionMode;
import dev.wirewatch.sensor.emit.RecordSink;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
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
        Map<Integer, Boolean> answered = StaticNatCaptureTest.connections("server.pcap");
        List<Integer> dropped = answered.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
        assertEquals(1, dropped.size(), "the capture holds one connection the server's firewall dropped");
        NetworkTopology network = NetworkTopology.load(StaticNatCaptureTest.CAPTURES.resolve("topology.yaml"));

        List<CaptureMerge.NamedSource> sources = new ArrayList<>();
        try (ProcessorDriver driver = new ProcessorDriver(network, ProcessorConfig.DEFAULTS)) {
            var events = FileEventSource.readAll(StaticNatCaptureTest.CAPTURES.resolve("client.pcap"), "client");
            long end = events.stream().filter(PacketEvent.class::isInstance).mapToLong(e -> ((PacketEvent) e).getTsMicros())
                    .max().orElseThrow();
            ArpEvent arp = events.stream().filter(ArpEvent.class::isInstance).map(ArpEvent.class::cast).reduce((a, b) -> b)
                    .orElseThrow();
            driver.send(ArpEvent.newBuilder(arp).setTsMicros(end + MINUTE_MICROS).build()); // ww.l2, fetched first
            // Two sensors are two producers: each sends a second's records, then its tick; the other's second lands
            // after it. Each side is replayed on its own and the two merged second by second, the client's first.
            List<Chunk> chunks = new ArrayList<>();
            for (String host : List.of("client", "server")) {
                CaptureMerge.NamedSource source = new CaptureMerge.NamedSource(host,
                        new FileEventSource(StaticNatCaptureTest.CAPTURES.resolve(host + ".pcap"), host, "eth0"));
                sources.add(source);
                CaptureMerge.replay(List.of(source), new Chunks(host, chunks), EmissionMode.CONTROL, count -> { });
            }
            chunks.sort(Comparator.comparingLong(Chunk::tickMicros).thenComparing(Chunk::host));
            RecordSink sink = driver.sink();
            chunks.forEach(chunk -> chunk.sendTo(sink));
            List<Alert> alerts = driver.alerts();
            Map<Integer, Set<String>> vantages = new TreeMap<>();
            for (FlowRecord flow : driver.flows()) {
                vantages.merge(flow.getClientPort(), flow.getVantages().stream().map(VantageView::getHost)
                        .collect(Collectors.toSet()), (a, b) -> Set.of("split: " + a + " and " + b));
            }
            assertEquals(answered.keySet(), vantages.keySet(), "one flow per connection: " + driver.flows());
            vantages.forEach((port, hosts) -> assertEquals(Set.of("client", "server"), hosts, "port " + port));
            assertEquals(List.of("UNANSWERED_SYN:DROPPED_AT_SERVER_HOST:server:" + dropped.get(0)),
                    alerts.stream().filter(alert -> !alert.getType().startsWith("SENSOR_"))
                            .map(alert -> alert.getType() + ":" + alert.getCause() + ":" + alert.getHost() + ":"
                                    + alert.getClient().split(":")[1]).toList(),
                    "the SYNs reached the server behind the forward, and nothing else is wrong: " + alerts);
            assertTrue(alerts.stream().noneMatch(alert -> alert.getSummary().contains("sent nothing")),
                    "no sensor went silent: " + alerts);
        } finally {
            sources.forEach(source -> source.events().close());
        }
    }

    /** One sensor's records up to and including one of its ticks. */
    private record Chunk(String host, long tickMicros, List<SpecificRecord> records, boolean endOfInput) {
        void sendTo(RecordSink sink) {
            records.forEach(sink::publish);
            sink.tick(host, tickMicros, endOfInput);
        }
    }

    /** Cuts what one sensor sends into chunks at its ticks. */
    private static final class Chunks implements RecordSink {
        private final String host;
        private final List<Chunk> chunks;
        private List<SpecificRecord> pending = new ArrayList<>();

        Chunks(String host, List<Chunk> chunks) {
            this.host = host;
            this.chunks = chunks;
        }

        @Override
        public void publish(SpecificRecord record) {
            pending.add(record);
        }

        @Override
        public void tick(String tickHost, long tsMicros, boolean endOfInput) {
            chunks.add(new Chunk(host, tsMicros, pending, endOfInput));
            pending = new ArrayList<>();
        }
    }
}
