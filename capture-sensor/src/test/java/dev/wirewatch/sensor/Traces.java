package dev.wirewatch.sensor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The public captures with ground truth in deploy/traces (system property wirewatch.traces). */
public final class Traces {
    private Traces() {}

    public static Path folder() {
        Path folder = Path.of(System.getProperty("wirewatch.traces", "../deploy/traces"));
        assertTrue(Files.isDirectory(folder), "the public traces are missing: " + folder.toAbsolutePath());
        return folder;
    }

    public static Path file(String name) {
        return folder().resolve(name);
    }

    public static List<Path> captures() {
        try (Stream<Path> files = Files.list(folder())) {
            return files.filter(f -> f.toString().endsWith(".pcap") || f.toString().endsWith(".pcapng")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
