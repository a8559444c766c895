package dev.wirewatch.sensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.record.ArpEvent;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.sensor.emit.EmissionMode;
import dev.wirewatch.sensor.emit.RecordSink;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * A paced replay names the wall time its first packet was due at, and that anchor is honest: no packet leaves before
 * the wall time it maps to, so a latency measured from it never starts before a live sensor could have sent it.
 */
class RealtimePaceTest {
    /** Sample case 3's client: 30 packets over about 2 s. */
    private static final Path CAPTURE = Path.of(System.getProperty("wirewatch.samples", "../deploy/samples"))
            .resolve("03-port-moved/client.pcap");
    /** Instant.now() is read a moment after the pacing's nanoTime origin. */
    private static final long CLOCK_READ_SLACK_MICROS = 1_000;

    private record Sent(long tsMicros, long wallMicros) {}

    @Test
    void thePaceStartIsTheFirstPacketAndNoPacketLeavesBeforeItsWallTime() {
        List<Sent> sent = new ArrayList<>();
        List<CaptureMerge.PaceStart> paces = new ArrayList<>();
        long before = nowMicros();
        replay(null, sent, paces);

        assertEquals(1, paces.size(), "told once");
        CaptureMerge.PaceStart pace = paces.get(0);
        long firstTs = FileEventSource.readAll(CAPTURE, "client").stream().mapToLong(RealtimePaceTest::tsMicros)
                .min().orElseThrow();
        assertEquals(firstTs, pace.firstCaptureMicros());
        assertTrue(pace.wallStartMicros() >= before && pace.wallStartMicros() <= sent.get(0).wallMicros(), pace.toString());
        assertTrue(sent.size() > 20, "packets sent: " + sent.size());
        for (Sent packet : sent) {
            assertTrue(packet.wallMicros() + CLOCK_READ_SLACK_MICROS >= pace.wallMicros(packet.tsMicros()),
                    packet + " left before its due time " + pace.wallMicros(packet.tsMicros()));
        }
        long lastDue = pace.wallMicros(sent.get(sent.size() - 1).tsMicros());
        assertTrue(lastDue - pace.wallStartMicros() > 1_500_000, "the replay was paced over the capture's 2 s");
    }

    @Test
    void aGivenStartHoldsTheFirstPacketUntilThen() {
        List<Sent> sent = new ArrayList<>();
        List<CaptureMerge.PaceStart> paces = new ArrayList<>();
        Instant start = Instant.now().plusMillis(1_500);
        replay(start, sent, paces);

        long startMicros = start.getEpochSecond() * 1_000_000 + start.getNano() / 1000;
        assertEquals(startMicros, paces.get(0).wallStartMicros(), "the anchor is the start asked for");
        assertTrue(sent.get(0).wallMicros() + CLOCK_READ_SLACK_MICROS >= startMicros, "the first packet waited for the start");
    }

    /** Replays the capture in real time from {@code start}, noting when each packet left. */
    private static void replay(Instant start, List<Sent> sent, List<CaptureMerge.PaceStart> paces) {
        RecordSink sink = new RecordSink() {
            @Override
            public void publish(SpecificRecord record) {
                if (record instanceof PacketEvent packet) {
                    sent.add(new Sent(packet.getTsMicros(), nowMicros()));
                }
            }

            @Override
            public void tick(String host, long tsMicros, boolean endOfInput) {}
        };
        CaptureMerge.replay(List.of(new CaptureMerge.NamedSource("client", new FileEventSource(CAPTURE, "client", null))),
                sink, EmissionMode.FULL, true, count -> { }, start, paces::add);
    }

    private static long tsMicros(SpecificRecord record) {
        return record instanceof PacketEvent packet ? packet.getTsMicros() : ((ArpEvent) record).getTsMicros();
    }

    private static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }
}
