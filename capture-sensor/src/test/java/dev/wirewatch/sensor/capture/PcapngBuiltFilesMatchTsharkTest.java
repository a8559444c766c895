package dev.wirewatch.sensor.capture;

import static dev.wirewatch.sensor.capture.PcapngMatchesTsharkTest.assertReadsAsTshark;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.sensor.Traces;
import dev.wirewatch.sensor.capture.TsharkFrames.Frame;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * pcapng that no tool at hand writes, built byte by byte ({@link PcapngBuilder}) from real frames and then read
 * both by tshark and by the reader: big-endian sections, every kind of timestamp resolution, an offset, simple and
 * obsolete packet blocks, blocks to skip, and sections of opposite byte order in one file.
 */
class PcapngBuiltFilesMatchTsharkTest {
    private static final int ETHERNET = 1;
    private static final int LINUX_SLL = 113;

    @TempDir
    Path temp;

    /** Real Ethernet frames (a POP3 session) and Linux cooked ones (ARP), read from classic pcap. */
    private static List<CapturedFrame> frames(String trace, int count) {
        List<CapturedFrame> frames = new ArrayList<>();
        try (CaptureFile file = CaptureFile.open(Traces.file(trace))) {
            CapturedFrame frame;
            while (frames.size() < count && (frame = file.next()) != null) {
                frames.add(frame);
            }
        }
        return frames;
    }

    /** A time (microseconds, and 789 ns over them) in ticks of 10^-n or, with the high bit, 2^-n seconds. */
    static long ticks(long micros, int tsresol, long offsetSeconds) {
        BigInteger nanos = BigInteger.valueOf(micros - offsetSeconds * 1_000_000).multiply(BigInteger.valueOf(1000))
                .add(BigInteger.valueOf(789));
        return nanos.multiply(ticksPerSecond(tsresol)).divide(BigInteger.TEN.pow(9)).longValueExact();
    }

    private static BigInteger ticksPerSecond(int tsresol) {
        return (tsresol & 0x80) != 0 ? BigInteger.TWO.pow(tsresol & 0x7f) : BigInteger.TEN.pow(tsresol);
    }

    static Stream<Arguments> resolutions() {
        List<Arguments> cases = new ArrayList<>();
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            for (int tsresol : new int[] {0, 3, 6, 9, 12, 0x80 | 10, 0x80 | 20, 0x80 | 30, 0x80 | 44}) {
                cases.add(Arguments.of(order, tsresol));
            }
        }
        return cases.stream();
    }

    /**
     * Each if_tsresol in either byte order, with if_tsoffset: seconds, milli-, micro-, nano-, picoseconds and
     * powers of two. Times are 789 ns past a microsecond, so a reader that misses the resolution misses the time.
     */
    @ParameterizedTest(name = "{0} tsresol 0x{1}")
    @MethodSource("resolutions")
    void everyTimestampResolutionInEitherByteOrder(ByteOrder order, int tsresol) throws Exception {
        long offset = 1_377_000_000L; // the trace's times less this fit 64 bits of picoseconds or 2^-44 s
        PcapngBuilder file = new PcapngBuilder().section(order).iface(ETHERNET, 0, "eth" + tsresol, tsresol, offset);
        List<CapturedFrame> frames = frames("zeek_pop3_REJ.pcap", 20);
        for (CapturedFrame frame : frames) {
            file.enhanced(0, ticks(frame.tsMicros(), tsresol, offset), frame.data(), frame.originalLength());
        }
        Path built = file.write(temp.resolve("resolution.pcapng"));
        List<Frame> read = TsharkFrames.read(built).frames();
        if (ticksPerSecond(tsresol).compareTo(BigInteger.valueOf(18_446_744_073L)) <= 0) {
            assertEquals(read, assertReadsAsTshark(built));
        } else {
            // tshark 4.0 takes the fraction as (ticks % ticks a second) × 10^9 in 64 bits, which overflows here: its
            // times are wrong, the rest is not; the times are checked against the ones built in, below.
            assertEquals(TsharkFrames.tshark(built).frames().stream().map(f -> f.at(0)).toList(),
                    read.stream().map(f -> f.at(0)).toList());
        }
        if (Set.of(6, 9, 12, 0x80 | 30, 0x80 | 44).contains(tsresol)) { // ticks of 1 µs, or shorter than 789 ns
            assertEquals(frames.stream().map(CapturedFrame::tsMicros).toList(),
                    read.stream().map(Frame::tsMicros).toList(), "the original times");
        }
    }

    /**
     * Two interfaces of different link types, names and resolutions, their packets interleaved, in a big-endian
     * section: every frame has its own interface's link type, name and clock.
     */
    @Test
    void twoInterfacesInABigEndianSection() throws Exception {
        PcapngBuilder file = new PcapngBuilder().section(ByteOrder.BIG_ENDIAN)
                .iface(ETHERNET, 0, "eth0", null, 0).iface(LINUX_SLL, 0, "any", 9, 0);
        List<CapturedFrame> ethernet = frames("zeek_pop3_REJ.pcap", 6);
        List<CapturedFrame> cooked = frames("zeek_linuxsll-arp_announce.pcap", 6);
        for (int i = 0; i < 6; i++) {
            file.enhanced(0, ethernet.get(i).tsMicros(), ethernet.get(i).data(), ethernet.get(i).originalLength());
            file.enhanced(1, ticks(cooked.get(i).tsMicros(), 9, 0), cooked.get(i).data(), cooked.get(i).originalLength());
        }
        List<Frame> read = assertReadsAsTshark(file.write(temp.resolve("big-endian.pcapng")));
        assertEquals(List.of("eth0", "any"), read.subList(0, 2).stream().map(Frame::iface).toList());
        assertEquals(List.of(ETHERNET, LINUX_SLL), read.subList(0, 2).stream().map(Frame::linkType).toList());
    }

    /**
     * Simple packet blocks: interface 0, cut to its snapshot length, no time (the previous frame's). tshark gives
     * them no time at all; TsharkFrames gives them the previous frame's, as the reader does.
     */
    @Test
    void simplePacketBlocks() throws Exception {
        int snapLength = 64;
        List<CapturedFrame> frames = frames("zeek_pop3_REJ.pcap", 4);
        PcapngBuilder file = new PcapngBuilder().section(ByteOrder.LITTLE_ENDIAN).iface(ETHERNET, snapLength, "spb0", 9, 0)
                .enhanced(0, ticks(frames.get(0).tsMicros(), 9, 0), frames.get(0).data(), frames.get(0).originalLength());
        for (CapturedFrame frame : frames.subList(1, 4)) {
            byte[] data = frame.data();
            file.simple(Arrays.copyOf(data, Math.min(data.length, snapLength)), data.length);
        }
        List<Frame> read = assertReadsAsTshark(file.write(temp.resolve("simple.pcapng")));
        assertEquals(List.of(frames.get(0).tsMicros()), read.stream().map(Frame::tsMicros).distinct().toList());
        assertTrue(read.stream().anyMatch(f -> f.captured() < f.original()), "a frame longer than the snapshot length");
    }

    /**
     * The obsolete Packet Block is read; name resolution, statistics and custom blocks are skipped, also one larger
     * than the reader's buffer.
     */
    @Test
    void obsoletePacketBlocksAreReadAndOtherBlocksSkipped() throws Exception {
        List<CapturedFrame> frames = frames("zeek_pop3_REJ.pcap", 3);
        byte[] nameResolution = {1, 0, 6, 0, 10, 0, 0, 1, 'a', 0, 0, 0, 0, 0, 0, 0}; // 10.0.0.1 is "a"; the end record
        byte[] statistics = new byte[12]; // interface 0, no time, no options
        byte[] custom = new byte[3 << 20]; // a private enterprise number and 3 MiB of its data
        custom[2] = 0x7f;
        PcapngBuilder file = new PcapngBuilder().section(ByteOrder.LITTLE_ENDIAN).block(4, nameResolution)
                .iface(ETHERNET, 0, "old0", null, 0)
                .enhanced(0, frames.get(0).tsMicros(), frames.get(0).data(), frames.get(0).originalLength())
                .block(0x00000bad, custom)
                .obsolete(0, frames.get(1).tsMicros(), frames.get(1).data(), frames.get(1).originalLength())
                .block(5, statistics)
                .enhanced(0, frames.get(2).tsMicros(), frames.get(2).data(), frames.get(2).originalLength());
        assertEquals(3, assertReadsAsTshark(file.write(temp.resolve("blocks.pcapng"))).size());
    }

    /**
     * A little-endian section, then a big-endian one: the second's byte order is its own, and so is its interface 0
     * (here of another link type, name and resolution). tshark's names are checked section by section
     * (see {@link PcapngMatchesTsharkTest#twoSectionsEachWithItsOwnInterfaces}).
     */
    @Test
    void sectionsOfOppositeByteOrders() throws Exception {
        CapturedFrame ethernet = frames("zeek_pop3_REJ.pcap", 1).get(0);
        CapturedFrame cooked = frames("zeek_linuxsll-arp_announce.pcap", 1).get(0);
        PcapngBuilder first = new PcapngBuilder().section(ByteOrder.LITTLE_ENDIAN).iface(ETHERNET, 0, "first", 9, 0)
                .enhanced(0, ticks(ethernet.tsMicros(), 9, 0), ethernet.data(), ethernet.originalLength());
        PcapngBuilder second = new PcapngBuilder().section(ByteOrder.BIG_ENDIAN).iface(LINUX_SLL, 0, "second", null, 0)
                .enhanced(0, cooked.tsMicros(), cooked.data(), cooked.originalLength());
        List<Frame> expected = new ArrayList<>(assertReadsAsTshark(first.write(temp.resolve("first.pcapng"))));
        expected.addAll(assertReadsAsTshark(second.write(temp.resolve("second.pcapng"))));

        byte[] both = Arrays.copyOf(first.bytes(), first.bytes().length + second.bytes().length);
        System.arraycopy(second.bytes(), 0, both, first.bytes().length, second.bytes().length);
        Path sections = Files.write(temp.resolve("sections.pcapng"), both);
        TsharkFrames.Read read = TsharkFrames.read(sections);
        assertEquals("", read.damage());
        assertEquals(expected, read.frames());
        assertEquals(TsharkFrames.tshark(sections).frames().stream().map(Frame::unnamed).toList(),
                read.frames().stream().map(Frame::unnamed).toList());
    }
}
