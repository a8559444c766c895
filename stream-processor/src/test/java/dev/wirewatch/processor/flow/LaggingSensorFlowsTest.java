package dev.wirewatch.processor.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.SampleCase;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.FlowRecord;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.VantageView;
import dev.wirewatch.sensor.FileEventSource;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A sensor cut off from Kafka for a minute queues its records and delivers them late, after the other sensor's have
 * moved stream time past the flows' expiry (deploy/faults/scenarios/link-faults.sh does it on real kernels). Seed case
 * 3's two captures: the client's is delivered in time and the client ticks on for 90 s; only then come the server's
 * records. Each flow must still be one flow seen from both sides, with the server's packet counts as tshark reads
 * them from the server's capture, and nobody's sensor taken for one on the wrong interface.
 */
class LaggingSensorFlowsTest {
    private static final SampleCase CASE = new SampleCase("03-port-moved");

    @Test
    void lateRecordsOfACutOffSensorJoinTheFlowsTheOtherSensorSaw() throws Exception {
        List<FlowRecord> flows;
        List<String> gaps;
        try (ProcessorDriver driver = new ProcessorDriver(NetworkTopology.load(CASE.file("topology.yaml")),
                ProcessorConfig.DEFAULTS)) {
            serverCutOff(driver, packets("client.pcap", "client"), packets("server.pcap", "server"));
            flows = driver.flows();
            gaps = driver.alerts().stream().filter(alert -> alert.getType().equals("SENSOR_COVERAGE_GAP"))
                    .map(alert -> alert.getSummary()).toList();
        }
        Map<String, Long> fromServer = new TreeMap<>();
        Map<String, Long> records = new TreeMap<>();
        for (FlowRecord flow : flows) {
            String key = endpoints(flow.getClient() + ":" + flow.getClientPort(), flow.getServer() + ":" + flow.getServerPort());
            records.merge(key, 1L, Long::sum);
            assertEquals(List.of("client", "server"), flow.getVantages().stream().map(VantageView::getHost).sorted()
                    .toList(), "seen from both sides: " + flow);
            for (VantageView view : flow.getVantages()) {
                if (view.getHost().equals("server")) {
                    fromServer.merge(key, view.getOrigPackets() + view.getRespPackets(), Long::sum);
                }
            }
        }
        Map<String, Long> tshark = CASE.tshark("server.pcap", "tcp", "ip.src", "tcp.srcport", "ip.dst", "tcp.dstport")
                .stream().collect(Collectors.groupingBy(row -> endpoints(row[0] + ":" + row[1], row[2] + ":" + row[3]),
                        TreeMap::new, Collectors.counting()));
        assertTrue(tshark.size() >= 3, "the case has connections: " + tshark);
        assertEquals(tshark, fromServer, "the server's packets per flow, against tshark");
        assertTrue(records.values().stream().allMatch(count -> count == 1), "one record per flow: " + records);
        assertEquals(List.of(), gaps);
    }

    private static List<PacketEvent> packets(String file, String host) {
        return FileEventSource.readAll(CASE.file(file), host).stream().filter(PacketEvent.class::isInstance)
                .map(PacketEvent.class::cast).toList();
    }

    /**
     * Both sensors live, then the server's path to Kafka cut: the client's packets in time and its ticks for 90 s
     * more, only then the server's queue, delivered after the heal; then both end.
     */
    static void serverCutOff(ProcessorDriver driver, List<PacketEvent> client, List<PacketEvent> server) {
        long start = Math.min(client.get(0).getTsMicros(), server.get(0).getTsMicros()) - 1_000_000;
        driver.tick(start, start, "client", "server");
        long clientEnd = replay(driver, client, "client", start);
        driver.tick(clientEnd + 1_000_000, clientEnd + 90_000_000, "client");
        long serverEnd = replay(driver, server, "server", start);
        long end = Math.max(clientEnd + 90_000_000, serverEnd) + 30_000_000;
        driver.tick(serverEnd + 1_000_000, end, "server");
        driver.tick(end, end, "client");
        driver.endOfInput(end, "client", "server");
    }

    /** Sends the packets as their sensor would, ticking once a second; returns the last packet's time. */
    private static long replay(ProcessorDriver driver, List<PacketEvent> packets, String host, long start) {
        long ticked = start;
        long last = start;
        for (PacketEvent packet : packets) {
            for (; ticked + 1_000_000 <= packet.getTsMicros(); ticked += 1_000_000) {
                driver.tick(ticked + 1_000_000, ticked + 1_000_000, host);
            }
            driver.send(packet);
            last = packet.getTsMicros();
        }
        return last;
    }

    private static String endpoints(String one, String other) {
        return one.compareTo(other) < 0 ? one + " " + other : other + " " + one;
    }
}
