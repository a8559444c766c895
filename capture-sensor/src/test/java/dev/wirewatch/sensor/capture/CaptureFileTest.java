package dev.wirewatch.sensor.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.sensor.Traces;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureFileTest {
    @TempDir
    Path temp;

    @Test
    void aFileThatIsNotACaptureGivesOneClearErrorNamingFileAndMagic() throws Exception {
        Path garbage = temp.resolve("notes.pcap");
        Files.writeString(garbage, "this is not a capture file at all");
        CaptureFileException error = assertThrows(CaptureFileException.class, () -> CaptureFile.open(garbage));
        assertTrue(error.getMessage().contains("notes.pcap"), error.getMessage());
        assertTrue(error.getMessage().contains("not a pcap or pcapng file (magic 0x74686973 at offset 0)"), error.getMessage());
    }

    @Test
    void aTruncatedPcapHeaderNamesTheOffset() throws Exception {
        Path cut = temp.resolve("cut.pcap");
        Files.write(cut, Arrays.copyOf(Files.readAllBytes(Traces.file("zeek_tcp_syn.pcap")), 10));
        CaptureFileException error = assertThrows(CaptureFileException.class, () -> CaptureFile.open(cut));
        assertTrue(error.getMessage().contains("truncated at offset 10"), error.getMessage());
    }

    /** A file cut mid-record keeps exactly the frames tshark reads from it, and says where the cut record starts. */
    @Test
    void aCaptureCutInTheMiddleOfARecordKeepsTheFramesTsharkKeeps() throws Exception {
        Path original = Traces.file("zeek_pop3_REJ.pcap");
        byte[] whole = Files.readAllBytes(original);
        Path cut = temp.resolve("cut.pcap");
        Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
        int tsharkFrames = tsharkCapturedLengths(cut).size();
        try (CaptureFile file = CaptureFile.open(cut)) {
            int kept = 0;
            while (file.next() != null) {
                kept++;
            }
            assertTrue(kept > 0, "frames before the cut are kept");
            assertEquals(tsharkFrames, kept, "frames kept vs tshark's reading of the cut file");
            String message = file.damage().orElseThrow();
            assertTrue(message.contains("byte offset " + tsharkRecordOffset(original, kept + 1) + " (frame " + (kept + 1)
                    + ")"), message);
        }
    }

    /**
     * Classic pcap comes in both byte orders and with micro- or nanosecond timestamps (editcap -F nsecpcap writes
     * the latter). Each variant reads as the original, which DecoderMatchesTsharkTest checks against tshark.
     */
    @Test
    void nanosecondAndBigEndianPcapReadAsTheOriginal() throws Exception {
        assertTrue(new File("/usr/bin/editcap").canExecute(),
                "editcap (tshark's wireshark-common) is needed: run deploy/test-deps.sh");
        Path original = Traces.file("zeek_pop3_REJ.pcap");
        Path nanos = temp.resolve("nanos.pcap");
        Process editcap = new ProcessBuilder("editcap", "-F", "nsecpcap", original.toString(), nanos.toString())
                .redirectErrorStream(true).start();
        editcap.getInputStream().readAllBytes();
        assertEquals(0, editcap.waitFor());
        Path bigEndian = temp.resolve("big-endian.pcap");
        Files.write(bigEndian, swapByteOrder(Files.readAllBytes(original)));

        List<String> expected = frames(original);
        assertTrue(expected.size() > 100, "the trace has frames");
        assertEquals(expected, frames(nanos), "nanosecond pcap");
        assertEquals(expected, frames(bigEndian), "big-endian pcap");
    }

    private static List<String> frames(Path capture) {
        List<String> frames = new ArrayList<>();
        try (CaptureFile file = CaptureFile.open(capture)) {
            CapturedFrame frame;
            while ((frame = file.next()) != null) {
                frames.add(frame.tsMicros() + " " + frame.linkType() + " " + frame.originalLength() + " "
                        + HexFormat.of().formatHex(frame.data()));
            }
            assertTrue(file.damage().isEmpty(), file.damage().orElse(""));
        }
        return frames;
    }

    /** The same little-endian pcap with every header field in big-endian order. */
    private static byte[] swapByteOrder(byte[] pcap) {
        ByteBuffer in = ByteBuffer.wrap(pcap).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(pcap.length).order(ByteOrder.BIG_ENDIAN);
        assertEquals(0xa1b2c3d4, in.getInt(0), "a little-endian microsecond pcap");
        out.putInt(in.getInt()).putShort(in.getShort()).putShort(in.getShort());
        for (int i = 0; i < 4; i++) {
            out.putInt(in.getInt());
        }
        while (in.hasRemaining()) {
            int seconds = in.getInt();
            int fraction = in.getInt();
            int included = in.getInt();
            int original = in.getInt();
            out.putInt(seconds).putInt(fraction).putInt(included).putInt(original);
            byte[] data = new byte[included];
            in.get(data);
            out.put(data);
        }
        return out.array();
    }

    /**
     * A record whose length field is garbage, in the middle of the file: libpcap would refuse it; the error names
     * the byte offset of that record, which tshark's per-frame offsets of the intact file confirm independently.
     */
    @Test
    void aDamagedRecordInTheMiddleIsReportedWithItsByteOffset() throws Exception {
        Path original = Traces.file("zeek_pop3_REJ.pcap");
        int damagedFrame = 40; // 1-based, as tshark numbers frames
        long offset = tsharkRecordOffset(original, damagedFrame);
        byte[] bytes = Files.readAllBytes(original);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt((int) offset + 8, 0x7fffffff);
        Path damaged = temp.resolve("damaged.pcap");
        Files.write(damaged, bytes);
        try (CaptureFile file = CaptureFile.open(damaged)) {
            int read = 0;
            while (file.next() != null) {
                read++;
            }
            assertEquals(damagedFrame - 1, read, "the frames before the damage are kept");
            String message = file.damage().orElseThrow();
            assertTrue(message.contains("damaged record at byte offset " + offset + " (frame " + damagedFrame + ")"),
                    message);
        }
    }

    /** The byte offset of a frame's record header in a classic pcap, from tshark: 24 + sum of (16 + caplen). */
    private static long tsharkRecordOffset(Path pcap, int frame) throws Exception {
        List<String> lengths = tsharkCapturedLengths(pcap);
        long offset = 24;
        for (int i = 0; i < frame - 1; i++) {
            offset += 16 + Long.parseLong(lengths.get(i).trim());
        }
        return offset;
    }

    /** tshark's captured length of every frame it can read (a damaged file ends its list early). */
    private static List<String> tsharkCapturedLengths(Path capture) throws Exception {
        assertTrue(new File("/usr/bin/tshark").canExecute(), "tshark is needed: run deploy/test-deps.sh");
        Process tshark = new ProcessBuilder("tshark", "-r", capture.toString(), "-T", "fields", "-e", "frame.cap_len")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> lengths = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(line -> !line.isBlank()).toList();
        tshark.waitFor();
        return lengths;
    }

    @Test
    void aMissingFileIsAClearError() {
        CaptureFileException error = assertThrows(CaptureFileException.class,
                () -> CaptureFile.open(temp.resolve("absent.pcap")));
        assertTrue(error.getMessage().endsWith("absent.pcap: no such file"), error.getMessage());
    }
}
