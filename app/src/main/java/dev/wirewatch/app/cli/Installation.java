package dev.wirewatch.app.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where wirewatch is installed: the launcher passes {@code -Dwirewatch.home}; else the jar's ../.. ; else the current folder. */
final class Installation {
    private Installation() {}

    static Path home() {
        String property = System.getProperty("wirewatch.home");
        if (property != null) {
            return Path.of(property);
        }
        try {
            Path jar = Path.of(Installation.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path candidate = jar.getParent().getParent().getParent();
            if (Files.isDirectory(candidate.resolve("deploy/samples"))) {
                return candidate;
            }
        } catch (Exception e) {
            // fall through to the current folder
        }
        return Path.of(".");
    }
}
