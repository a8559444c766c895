package dev.wirewatch.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.flow.FlowState;
import dev.wirewatch.processor.flow.FlowStateCodec;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.sensor.FileEventSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the processor keeps for connections that open, exchange a little and then idle for hours, as connection pools
 * and sessions do: deploy/bench/idle-connections.py's capture (half IPv4, half IPv6, many clients) through the real
 * topology and its RocksDB stores. Every connection tshark reads is kept while idle, each costs at most 300 bytes of
 * state, and once stream time passes the idle timeout every one is closed as established (S1), none before. 10,000
 * connections here; {@code -Dwirewatch.idle.connections=100000} gives the BENCHMARKS.md figure.
 */
class IdleConnectionStateTest {
    private static final int CONNECTIONS = Integer.getInteger("wirewatch.idle.connections", 10_000);
    private static final int RATE = 1_000;
    private static final String HOST = "bench";

    @TempDir
    Path dir;

    @Test
    void idleConnectionsAreKeptForHoursInAtMost300BytesEachAndClosedAfterTheIdleTimeout() throws Exception {
        Path capture = generate();
        List<PacketEvent> packets = FileEventSource.readAll(capture, HOST).stream()
                .filter(PacketEvent.class::isInstance).map(PacketEvent.class::cast).toList();
        long opened = packets.get(0).getTsMicros() + (CONNECTIONS / RATE + 60) * 1_000_000L;
        List<PacketEvent> idle = packets.stream().filter(packet -> packet.getTsMicros() < opened).toList();
        List<PacketEvent> tail = packets.stream().filter(packet -> packet.getTsMicros() >= opened).toList();
        int conversations = tcpConversations(capture);

        try (ProcessorDriver driver = new ProcessorDriver(NetworkTopology.EMPTY, ProcessorConfig.DEFAULTS)) {
            send(driver, idle);
            StateSize size = measure(driver);
            assertEquals(conversations - 2, size.connections(), "every connection but the tail's two is kept");
            assertEquals(List.of(), driver.flows(), "none closed while idle");
            assertTrue(size.maxValue() <= 300, "largest state " + size.maxValue() + " bytes");
            assertTrue(size.perConnection() <= 300, "state per connection " + size.perConnection() + " bytes");
            System.out.printf("idle connections: %,d kept; state per connection: value %.1f B (max %d), key %.1f B, "
                    + "timer entry %.1f B, total %.1f B; %,d bytes in all; RocksDB files %,d bytes; a live flow "
                    + "object on the heap %.0f B%n", size.connections(),
                    size.valueBytes() / (double) size.connections(), size.maxValue(),
                    size.keyBytes() / (double) size.connections(), size.timerBytes() / (double) size.connections(),
                    size.perConnection(), size.valueBytes() + size.keyBytes() + size.timerBytes(), driver.stateBytes(),
                    heapPerLiveFlow(driver));

            send(driver, tail);
            driver.endOfInput(tail.get(tail.size() - 1).getTsMicros(), HOST);
            Map<String, Long> closedAs = driver.flows().stream()
                    .collect(Collectors.groupingBy(flow -> flow.getVantages().get(0).getConnState(), TreeMap::new,
                            Collectors.counting()));
            assertEquals(Map.of("S1", (long) conversations - 2, "SF", 2L), closedAs,
                    "the idle ones expired established, the tail's two closed normally");
        }
    }

    /** The state the flow stage holds: encoded as it is stored, keys, and timer index entries (8 bytes + key). */
    private record StateSize(long connections, long valueBytes, long keyBytes, long timerBytes, int maxValue) {
        double perConnection() {
            return (valueBytes + keyBytes + timerBytes) / (double) connections;
        }
    }

    private static StateSize measure(ProcessorDriver driver) {
        long connections = 0;
        long values = 0;
        long keys = 0;
        int max = 0;
        try (KeyValueIterator<Bytes, FlowState> all = driver.flowStore().all()) {
            while (all.hasNext()) {
                KeyValue<Bytes, FlowState> entry = all.next();
                int value = FlowStateCodec.encode(entry.value).length;
                connections++;
                values += value;
                keys += entry.key.get().length;
                max = Math.max(max, value);
            }
        }
        return new StateSize(connections, values, keys, keys + connections * Long.BYTES, max);
    }

    /** As a sensor sends them: packets in order, a tick each second of capture time. */
    private static void send(ProcessorDriver driver, List<PacketEvent> packets) {
        long lastTick = Long.MIN_VALUE;
        for (PacketEvent packet : packets) {
            if (packet.getTsMicros() - lastTick >= 1_000_000) {
                driver.tick(packet.getTsMicros(), packet.getTsMicros(), HOST);
                lastTick = packet.getTsMicros();
            }
            driver.send(packet);
        }
    }

    private Path generate() throws IOException, InterruptedException {
        Path out = dir.resolve("idle.pcap");
        Process generator = new ProcessBuilder("/usr/bin/python3", "../deploy/bench/idle-connections.py",
                "--connections", String.valueOf(CONNECTIONS), "--rate", String.valueOf(RATE), "--out", out.toString())
                .redirectErrorStream(true).start();
        String output = new String(generator.getInputStream().readAllBytes());
        assertEquals(0, generator.waitFor(), output);
        return out;
    }

    /** tshark's count of TCP conversations: the independent truth of how many connections there are. */
    private static int tcpConversations(Path capture) throws IOException, InterruptedException {
        Process tshark = new ProcessBuilder("tshark", "-n", "-q", "-r", capture.toString(), "-z", "conv,tcp")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> lines = new String(tshark.getInputStream().readAllBytes()).lines()
                .filter(line -> line.contains("<->")).toList();
        assertEquals(0, tshark.waitFor());
        return lines.size();
    }

    /**
     * The heap a decoded flow takes, as the store's cache of live objects holds up to its capacity of them per task
     * (measured on copies: the test driver itself keeps every changelog record it was sent, which a broker does not).
     */
    private static double heapPerLiveFlow(ProcessorDriver driver) {
        List<byte[]> encoded = new ArrayList<>();
        try (KeyValueIterator<Bytes, FlowState> all = driver.flowStore().all()) {
            while (all.hasNext() && encoded.size() < 10_000) {
                encoded.add(FlowStateCodec.encode(all.next().value));
            }
        }
        long before = usedHeap();
        List<FlowState> live = encoded.stream().map(FlowStateCodec::decode).toList();
        long after = usedHeap();
        return (after - before) / (double) live.size();
    }

    private static long usedHeap() {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
