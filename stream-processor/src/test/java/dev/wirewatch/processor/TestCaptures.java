package dev.wirewatch.processor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every test capture: each public trace in deploy/traces on its own, every two-sided case in deploy/samples and every
 * capture in deploy/captures (kernel-made bulk traffic, a port forward, a pcapng of two interfaces, the seed cases
 * stretched to real idle times).
 */
public final class TestCaptures {
    private static final Path TRACES = Path.of(System.getProperty("wirewatch.traces", "../deploy/traces"));
    private static final Path SAMPLES = Path.of(System.getProperty("wirewatch.samples", "../deploy/samples"));

    /** A case: its captures (host name = file name without extension) and its topology, if any. */
    public record Case(String name, List<Path> captures, Path topology) {
        @Override
        public String toString() {
            return name;
        }
    }

    private TestCaptures() {}

    /** The public traces with ground truth (tshark's decode, Zeek's baselines): deploy/traces/README.md. */
    public static Path traces() {
        assertTrue(Files.isDirectory(TRACES), "the public traces are missing: " + TRACES.toAbsolutePath());
        return TRACES;
    }

    public static Path trace(String name) {
        return traces().resolve(name);
    }

    public static Stream<Case> all() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(traces())) {
            files.filter(TestCaptures::isCapture).sorted()
                    .forEach(file -> cases.add(new Case(file.getFileName().toString(), List.of(file), null)));
        }
        try (Stream<Path> dirs = Stream.concat(Files.list(SAMPLES), Files.list(SAMPLES.resolveSibling("captures")))) {
            for (Path dir : dirs.filter(Files::isDirectory).flatMap(TestCaptures::sets).sorted().toList()) {
                try (Stream<Path> files = Files.list(dir)) {
                    cases.add(new Case(dir.getFileName().toString(), files.filter(TestCaptures::isCapture).sorted().toList(),
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
            return inside.stream().anyMatch(TestCaptures::isCapture) ? Stream.of(dir)
                    : inside.stream().filter(Files::isDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isCapture(Path file) {
        return file.toString().endsWith(".pcap") || file.toString().endsWith(".pcapng");
    }
}
