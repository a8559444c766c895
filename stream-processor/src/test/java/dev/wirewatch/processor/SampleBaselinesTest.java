package dev.wirewatch.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.record.Alert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every seed case's recorded captures give what its expected.txt says (the baseline the lab also judges the live
 * scenario by): each finding it names, none it forbids.
 */
class SampleBaselinesTest {
    private static final Path SAMPLES = Path.of(System.getProperty("wirewatch.samples", "../deploy/samples"));

    static Stream<Path> cases() throws IOException {
        try (Stream<Path> dirs = Files.list(SAMPLES)) {
            List<Path> cases = dirs.filter(Files::isDirectory).sorted().toList();
            assertEquals(11, cases.size(), "the eight seed cases, their IPv6 variants and VRRP in "
                    + SAMPLES.toAbsolutePath());
            return cases.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theRecordingGivesItsBaseline(Path dir) throws IOException {
        Path expected = dir.resolve("expected.txt");
        assertTrue(Files.isRegularFile(expected), dir + " has no expected.txt");
        Baseline baseline = Baseline.read(expected);
        assertTrue(baseline.rules().stream().anyMatch(rule -> !rule.negative()), expected + " expects no finding");
        List<Alert> alerts = SampleCase.at(dir).alerts(ProcessorConfig.DEFAULTS, captures(dir));
        assertEquals(List.of(), baseline.problems(alerts), () -> "against " + expected + "; alerts: " + alerts.stream()
                .map(alert -> alert.getType() + " " + alert.getSeverity() + " " + alert.getHost()).toList());
    }

    /** HOST.pcap is host HOST's capture; HOST@IFACE.pcap its capture of IFACE. */
    private static SampleCase.Capture[] captures(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".pcap")).sorted()
                    .map(name -> {
                        String[] hostIface = name.substring(0, name.length() - ".pcap".length()).split("@", 2);
                        return new SampleCase.Capture(hostIface[0], hostIface.length > 1 ? hostIface[1] : null, name);
                    })
                    .toArray(SampleCase.Capture[]::new);
        }
    }
}
