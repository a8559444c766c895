package dev.wirewatch.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Severity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Baseline reads every line deploy/lab/expect.py reads, and refuses what expect.py would refuse, naming the line. */
class BaselineTest {
    @TempDir
    Path dir;

    @Test
    void aSeverityLineForbidsEveryAlertAtOrAboveIt() throws IOException {
        Baseline baseline = Baseline.read(write("# the healthy network\n!severity>=warning\n"));

        assertEquals(List.of(), baseline.problems(List.of(alert(Severity.info))));
        assertEquals(1, baseline.problems(List.of(alert(Severity.warning))).size());
        assertEquals(1, baseline.problems(List.of(alert(Severity.critical))).size());
    }

    @Test
    void aSeverityLineSparesTheTypesItExcepts() throws IOException {
        Baseline baseline = Baseline.read(write("!severity>=warning except=ARP_IP_MOVED,UNANSWERED_SYN\n"));

        assertEquals(List.of(), baseline.problems(List.of(alert(Severity.critical))));
        Alert other = Alert.newBuilder(alert(Severity.warning)).setType("ARP_CONFLICT").build();
        assertEquals(1, baseline.problems(List.of(other)).size());
    }

    @Test
    void aRecordingOnlyLineHoldsForTheRecordedCaptures() throws IOException {
        Baseline baseline = Baseline.read(write("@recording UNANSWERED_SYN server=10.0.0.2:80 count=2\n"));

        assertEquals(1, baseline.problems(List.of(alert(Severity.warning))).size(), "count 1 is not count 2");
        Alert twice = Alert.newBuilder(alert(Severity.warning)).setCount(2L).build();
        assertEquals(List.of(), baseline.problems(List.of(twice)));
    }

    @Test
    void aWordWithoutAValueIsRefusedWithItsLine() throws IOException {
        assertRefused("UNANSWERED_SYN server=10.0.0.2:80\nUNANSWERED_SYN host\n", "line 2", "'host'");
    }

    @Test
    void anUnknownSeverityIsRefusedWithItsLine() throws IOException {
        assertRefused("!severity>=loud\n", "line 1", "'loud'");
    }

    private void assertRefused(String text, String line, String word) throws IOException {
        Path file = write(text);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> Baseline.read(file));
        assertTrue(refused.getMessage().contains(line) && refused.getMessage().contains(word), refused.getMessage());
    }

    private Path write(String text) throws IOException {
        return Files.writeString(dir.resolve("expected.txt"), text);
    }

    private static Alert alert(Severity severity) {
        return Alert.newBuilder().setId("a").setType("UNANSWERED_SYN").setSeverity(severity).setHost("server")
                .setClient("10.0.0.1:40000").setServer("10.0.0.2:80").setFirstSeenMicros(1_000_000)
                .setLastSeenMicros(1_000_000).setCount(1L).setSummary("s").setHint("h").build();
    }
}
