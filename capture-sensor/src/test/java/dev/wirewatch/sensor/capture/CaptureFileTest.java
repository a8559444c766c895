package dev.wirewatch.sensor.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.sensor.FileEventSource;
import dev.wirewatch.sensor.Traces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
