package dev.wirewatch.processor.flow;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A cold start: both hosts' sensors capture from the same moment, but one's first records reach Kafka seconds after
 * the other's (its JVM slower to start, its producer still connecting). The processor must not close the early
 * flows with one vantage and then open a second, one-sided flow for each when the late sensor's records come (the
 * soak's cold start: connections counted twice, and coverage gaps blamed on the sensor that saw everything). The
 * port forward recorded by real kernels (deploy/captures/static-nat) with the server's sensor 20 s late must give
 * what tshark finds in it.
 */
class ColdStartTest {
    private static final long LATE_MICROS = 20_000_000L;

    @Test
    void aSensorWhoseFirstRecordsArriveLateStillJoinsItsFlows() throws Exception {
        NetworkTopology network = NetworkTopology.load(StaticNatCaptureTest.CAPTURES.resolve("topology.yaml"));
        List<SensorChunks.Chunk> client = SensorChunks.of(StaticNatCaptureTest.CAPTURES.resolve("client.pcap"), "client");
        Deque<SensorChunks.Chunk> server = new ArrayDeque<>(
                SensorChunks.of(StaticNatCaptureTest.CAPTURES.resolve("server.pcap"), "server"));
        try (ProcessorDriver driver = new ProcessorDriver(network, ProcessorConfig.DEFAULTS)) {
            var sink = driver.sink();
            long clientEnd = 0;
            for (SensorChunks.Chunk chunk : client) { // a live sensor's input does not end
                new SensorChunks.Chunk(chunk.host(), chunk.tickMicros(), chunk.records(), false).sendTo(sink);
                clientEnd = chunk.tickMicros();
            }
            // The client's sensor, live, keeps ticking through a quiet minute; the server's seconds arrive 20 s
            // after the client's of the same moment.
            for (long now = clientEnd; now <= clientEnd + 3 * LATE_MICROS; now += 1_000_000) {
                sink.tick("client", now, false);
                while (!server.isEmpty() && server.peek().tickMicros() + LATE_MICROS <= now) {
                    server.poll().sendTo(sink);
                }
            }
            server.forEach(chunk -> chunk.sendTo(sink));
            sink.tick("client", clientEnd + 3 * LATE_MICROS, true);
            Layer2AheadOfPacketsTest.assertBothSidesSawEachConnectionAndOnlyTheDrop(driver);
        }
    }
}
