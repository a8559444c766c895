package dev.wirewatch.sensor.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.sensor.Traces;
import dev.wirewatch.sensor.capture.TsharkFrames.Reading;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Damaged pcapng: the reading ends at the damaged block, keeps exactly the frames tshark keeps, and names the
 * block's byte offset and the frame number that would have come next.
 */
class PcapngDamageTest {
    private static final Pattern OFFSET = Pattern.compile("damaged record at byte offset (\\d+) \\(frame (\\d+)\\)");

    @TempDir
    Path temp;

    /**
     * dumpcap's two-interface capture cut at several points: the frames kept are tshark's, and the named offset is
     * where the cut block starts. tshark confirms it: the file cut there instead reads cleanly, to the same frames.
     */
    @ParameterizedTest(name = "cut at {0} %")
    @ValueSource(ints = {5, 33, 50, 71, 97})
    void aFileCutShortKeepsTheFramesTsharkKeeps(int percent) throws Exception {
        byte[] whole = Files.readAllBytes(PcapngMatchesTsharkTest.TWO_INTERFACES);
        int cutAt = whole.length * percent / 100;
        Path cut = Files.write(temp.resolve("cut.pcapng"), Arrays.copyOf(whole, cutAt));
        TsharkFrames.Read read = TsharkFrames.read(cut);
        Reading truth = TsharkFrames.tshark(cut);
        assertFalse(truth.errors().isEmpty(), "tshark sees the cut too");
        assertEquals(truth.frames(), read.frames(), "frames kept");

        Matcher where = OFFSET.matcher(read.damage());
        assertTrue(where.find(), read.damage());
        int offset = Integer.parseInt(where.group(1));
        assertEquals(read.frames().size() + 1, Integer.parseInt(where.group(2)), read.damage());
        int blockLength = ByteBuffer.wrap(whole).order(ByteOrder.LITTLE_ENDIAN).getInt(offset + 4);
        assertTrue(offset < cutAt && offset + blockLength > cutAt, "the cut runs through the block at " + offset);
        Path beforeIt = Files.write(temp.resolve("before.pcapng"), Arrays.copyOf(whole, offset));
        Reading clean = TsharkFrames.tshark(beforeIt);
        assertEquals("", clean.errors(), "the file up to the named offset is whole");
        assertEquals(truth.frames(), clean.frames());
    }

    /** The ways a block's framing can be wrong, each done to the third packet block of a built file. */
    enum Damage {
        LENGTH_NOT_A_MULTIPLE_OF_4, LENGTH_BELOW_12, TRAILING_LENGTH_DIFFERS, LENGTH_HUGE, CUT_BY_THE_END_OF_THE_FILE,
        INTERFACE_NOT_DESCRIBED
    }

    static Stream<Arguments> damages() {
        List<Arguments> cases = new ArrayList<>();
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            for (Damage damage : Damage.values()) {
                cases.add(Arguments.of(damage, order));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("damages")
    void aDamagedBlockEndsTheReadingWhereTsharkStops(Damage damage, ByteOrder order) throws Exception {
        List<CapturedFrame> frames = new ArrayList<>();
        try (CaptureFile file = CaptureFile.open(Traces.file("zeek_pop3_REJ.pcap"))) {
            for (int i = 0; i < 4; i++) {
                frames.add(file.next());
            }
        }
        PcapngBuilder built = new PcapngBuilder().section(order).iface(1, 0, "eth0", 9, 0);
        for (int i = 0; i < frames.size(); i++) {
            int iface = damage == Damage.INTERFACE_NOT_DESCRIBED && i == 2 ? 5 : 0;
            CapturedFrame frame = frames.get(i);
            built.enhanced(iface, frame.tsMicros() * 1000, frame.data(), frame.originalLength());
        }
        int damaged = built.offsetOf(4); // section, interface, packet 1, packet 2, then packet 3
        int length = built.offsetOf(5) - damaged;
        ByteBuffer bytes = ByteBuffer.wrap(built.bytes()).order(order);
        byte[] file = switch (damage) {
            case LENGTH_NOT_A_MULTIPLE_OF_4 -> bytes.putInt(damaged + 4, length + 2).array();
            case LENGTH_BELOW_12 -> bytes.putInt(damaged + 4, 8).array();
            case TRAILING_LENGTH_DIFFERS -> bytes.putInt(damaged + length - 4, length + 4).array();
            case LENGTH_HUGE -> bytes.putInt(damaged + 4, 0x7ffffff0).array();
            case CUT_BY_THE_END_OF_THE_FILE -> Arrays.copyOf(bytes.array(), damaged + length - 8);
            case INTERFACE_NOT_DESCRIBED -> bytes.array();
        };
        Path path = Files.write(temp.resolve("damaged.pcapng"), file);

        TsharkFrames.Read read = TsharkFrames.read(path);
        Reading truth = TsharkFrames.tshark(path);
        assertFalse(truth.errors().isEmpty(), "tshark finds it damaged too");
        assertEquals(2, truth.frames().size(), "tshark keeps the two frames before it");
        assertEquals(truth.frames(), read.frames(), "frames kept");
        assertTrue(read.damage().contains("damaged record at byte offset " + damaged + " (frame 3)"), read.damage());
        assertTrue(read.damage().endsWith("the 2 frames before it are kept"), read.damage());
    }

    /** A damaged first section header means the file is not a readable capture: one clear error, as for pcap. */
    @Test
    void aDamagedFirstSectionHeaderIsAClearError() throws Exception {
        byte[] section = new PcapngBuilder().section(ByteOrder.LITTLE_ENDIAN).bytes();
        Path cut = Files.write(temp.resolve("cut.pcapng"), Arrays.copyOf(section, 10));
        CaptureFileException error = assertThrows(CaptureFileException.class, () -> CaptureFile.open(cut));
        assertEquals(cut + ": pcapng section header at byte offset 0: block header cut short by the end of the file",
                error.getMessage());

        section[8] = 0x11; // the byte-order magic
        Path garbled = Files.write(temp.resolve("garbled.pcapng"), section);
        error = assertThrows(CaptureFileException.class, () -> CaptureFile.open(garbled));
        assertTrue(error.getMessage().contains("byte offset 0: section header's byte-order magic is 0x113c2b1a"),
                error.getMessage());
        assertTrue(TsharkFrames.tshark(garbled).frames().isEmpty(), "tshark reads nothing from it either");
    }
}
