package dev.wirewatch.processor.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.stream.Stream;

/**
 * The state's size as the bytes of its directory on disk: what fills a processor's state volume, and what an
 * operator sizes it by. Chosen over RocksDB's own figures because those are per store and task
 * ({@code total-sst-files-size}, {@code size-all-mem-tables}: dozens of series that Micrometer discovers only once
 * a minute, and that leave out checkpoints and RocksDB's logs) or not bytes at all ({@code estimate-num-keys}). A
 * walk of the directory costs a few hundred file attributes per scrape. Memtables not yet flushed are not on disk;
 * Kafka Streams flushes them at every commit.
 */
final class StateDirectorySize {
    private StateDirectorySize() {}

    /** Bytes in the regular files under {@code directory}; 0 before it exists. */
    static double bytes(Path directory) {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            return files.mapToLong(StateDirectorySize::size).sum();
        } catch (UncheckedIOException | IOException e) {
            return Double.NaN; // a directory vanished mid-walk (a task moved away): this scrape has no figure
        }
    }

    /** A regular file's size; 0 for a directory, or a file RocksDB deleted since it was listed (a compaction). */
    private static long size(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return attributes.isRegularFile() ? attributes.size() : 0;
        } catch (NoSuchFileException gone) {
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
