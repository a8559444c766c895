package dev.wirewatch.sensor.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wirewatch.sensor.FileEventSource;
import dev.wirewatch.sensor.Traces;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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

    @Test
    void aCaptureCutInTheMiddleOfARecordKeepsTheFramesBeforeIt() throws Exception {
        byte[] whole = Files.readAllBytes(Traces.file("zeek_pop3_REJ.pcap"));
        int frames = FileEventSource.readAll(Traces.file("zeek_pop3_REJ.pcap"), "h").size();
        Path cut = temp.resolve("cut.pcap");
        Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
        int kept = FileEventSource.readAll(cut, "h").size();
        assertTrue(kept > 0 && kept < frames, "kept " + kept + " of " + frames);
    }

    /**
     * A record whose length field is garbage, in the middle of the file: libpcap refuses it; the error names the
     * byte offset of that record, which tshark's per-frame offsets of the intact file confirm independently.
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
        assumeTrue(new File("/usr/bin/tshark").canExecute(), "needs tshark");
        Process tshark = new ProcessBuilder("tshark", "-r", pcap.toString(), "-T", "fields", "-e", "frame.cap_len")
                .redirectErrorStream(false).start();
        List<String> lengths = new String(tshark.getInputStream().readAllBytes(),
                StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, tshark.waitFor());
        long offset = 24;
        for (int i = 0; i < frame - 1; i++) {
            offset += 16 + Long.parseLong(lengths.get(i).trim());
        }
        return offset;
    }

    @Test
    void aMissingFileIsAClearError() {
        CaptureFileException error = assertThrows(CaptureFileException.class,
                () -> CaptureFile.open(temp.resolve("absent.pcap")));
        assertTrue(error.getMessage().endsWith("absent.pcap: no such file"), error.getMessage());
    }

    @Test
    void pcapngInterfaceNamesComeFromTheInterfaceBlocks() {
        try (CaptureFile file = CaptureFile.open(Traces.file("zeek_tcp_retransmit-timeout.pcapng"))) {
            CapturedFrame frame = file.next();
            assertEquals(PcapngInterfaces.singleName(Traces.file("zeek_tcp_retransmit-timeout.pcapng")), frame.iface());
        }
    }
}
