package dev.wirewatch.sensor.capture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Debian's runtime package libpcap0.8 installs only versioned names (libpcap.so.0.8); the unversioned
 * libpcap.so comes with the -dev package. When the unversioned name is absent, point pcap4j at the versioned
 * file so a machine with only the runtime package works.
 */
final class LibpcapLocator {
    static final String PROPERTY = "org.pcap4j.core.pcapLibName";
    private static final List<String> DIRECTORIES = List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
            "/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib64", "/lib", "/usr/local/lib");

    private LibpcapLocator() {}

    static synchronized void configure() {
        if (System.getProperty(PROPERTY) != null || !System.getProperty("os.name", "").startsWith("Linux")) {
            return;
        }
        for (String directory : DIRECTORIES) {
            if (Files.exists(Path.of(directory, "libpcap.so"))) {
                return;
            }
        }
        versioned().ifPresent(library -> System.setProperty(PROPERTY, library.toString()));
    }

    private static Optional<Path> versioned() {
        for (String directory : DIRECTORIES) {
            Path dir = Path.of(directory);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                Optional<Path> found = files.filter(file -> file.getFileName().toString().startsWith("libpcap.so."))
                        .sorted().findFirst();
                if (found.isPresent()) {
                    return found;
                }
            } catch (IOException e) {
                // an unreadable directory is just not where libpcap is
            }
        }
        return Optional.empty();
    }
}
