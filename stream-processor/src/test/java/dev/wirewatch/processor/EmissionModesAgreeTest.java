package dev.wirewatch.processor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DESIGN.md: "Detections must come out the same in both modes on every test capture." Every capture in
 * ../shared/traces, every two-sided case in deploy/samples and every capture in deploy/captures (kernel-made bulk
 * traffic, a port forward, a pcapng of two interfaces, seed cases stretched to real idle times) goes through the real
 * topology twice, once as a sensor in --mode full would send it and once in --mode control; alerts and every
 * vantage's conn_state, history, packet and byte counts must be equal, and control mode must actually have summarised
 * where traffic was steady.
 */
class EmissionModesAgreeTest {
    private static final Path TRACES = Path.of(System.getProperty("wirewatch.traces", "../../shared/traces"));
    private static final Path SAMPLES = Path.of(System.getProperty("wirewatch.samples", "../deploy/samples"));

    /** A case: its captures (host name = file name without extension) and its topology, if any. */
    record Case(String name, List<Path> captures, Path topology) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(TRACES)) {
            files.filter(file -> file.toString().endsWith(".pcap") || file.toString().endsWith(".pcapng")).sorted()
                    .forEach(file -> cases.add(new Case(file.getFileName().toString(), List.of(file), null)));
        }
        try (Stream<Path> dirs = Stream.concat(Files.list(SAMPLES), Files.list(SAMPLES.resolveSibling("captures")))) {
            for (Path dir : dirs.filter(Files::isDirectory).flatMap(EmissionModesAgreeTest::sets).sorted().toList()) {
                try (Stream<Path> files = Files.list(dir)) {
                    cases.add(new Case(dir.getFileName().toString(),
                            files.filter(file -> file.toString().endsWith(".pcap") || file.toString().endsWith(".pcapng"))
                                    .sorted().toList(),
                            dir.resolve("topology.yaml")));
                }
            }
        }
        assertTrue(cases.size() >= 20, "captures found: " + cases.size());
        return cases.stream();
    }

    /** A folder of captures, or a folder of such folders (deploy/captures/long-idle). */
    private static Stream<Path> sets(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> inside = files.toList();
            if (inside.stream().anyMatch(file -> file.toString().endsWith(".pcap") || file.toString().endsWith(".pcapng"))) {
                return Stream.of(dir);
            }
            return inside.stream().filter(Files::isDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void controlModeFindsWhatFullModeFinds(Case testCase) {
        ModeComparison.assertModesAgree(testCase.name(), testCase.captures(), testCase.topology());
    }
}
