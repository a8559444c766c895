package dev.wirewatch.sensor.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sensor's own tracefs instance with the {@code skb:kfree_skb} tracepoint on. An instance (not the global trace
 * buffer) leaves other users' tracing alone: its own buffer, clock and event switches, and removing it turns the
 * tracepoint off. Instances of sensors that died without cleaning up ({@code wirewatch-PID} of a dead PID) are
 * removed when the next one opens.
 */
public final class TraceInstance implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TraceInstance.class);
    private static final Path TRACEFS = Path.of("/sys/kernel/tracing");
    private static final Path DEBUGFS_TRACING = Path.of("/sys/kernel/debug/tracing");
    private static final String PREFIX = "wirewatch-";
    private static final String EVENT = "events/skb/kfree_skb";
    /** Reasons that are no drop (a freed packet, or no reason given); their numbers differ between kernels. */
    private static final List<String> NOT_DROPS = List.of("SKB_CONSUMED", "NOT_SPECIFIED");
    private static final Pattern SYMBOL = Pattern.compile("\\{ (\\d+), \"(\\w+)\" \\}");

    private final Path directory;

    private TraceInstance(Path directory) {
        this.directory = directory;
    }

    /** Mounts tracefs if needed, creates this process's instance and turns the tracepoint on. */
    public static TraceInstance open() {
        Path root = tracefs();
        Path instances = root.resolve("instances");
        removeOrphans(instances);
        // The PID names the owner for the orphan check; the suffix keeps sensors in different PID namespaces apart.
        Path directory = instances.resolve(PREFIX + ProcessHandle.current().pid() + "-"
                + Long.toHexString(Double.doubleToLongBits(Math.random()) & 0xffffff));
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the trace instance " + directory + " (needs root): " + e, e);
        }
        TraceInstance instance = new TraceInstance(directory);
        try {
            if (!Files.isDirectory(directory.resolve(EVENT))) {
                throw new IllegalStateException("this kernel has no skb:kfree_skb tracepoint (" + directory.resolve(EVENT)
                        + "); drop reasons need Linux 5.17 or later");
            }
            List<String> clocks = List.of(Files.readString(directory.resolve("trace_clock")).replaceAll("[\\[\\]]", "")
                    .trim().split("\\s+"));
            if (clocks.contains("mono")) {
                instance.write("trace_clock", "mono"); // one clock for every CPU, unlike the default per-CPU "local"
            }
            instance.write(EVENT + "/filter", realDrops(Files.readString(directory.resolve(EVENT + "/format"))));
            instance.write(EVENT + "/enable", "1");
        } catch (IOException | RuntimeException e) {
            instance.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
        LOG.info("kernel drop reasons: tracepoint skb:kfree_skb on in {}", directory);
        return instance;
    }

    /** A filter that passes real drops: the numbers of the non-drop reasons come from this kernel's event format. */
    static String realDrops(String format) {
        List<String> excluded = new ArrayList<>();
        Matcher symbol = SYMBOL.matcher(format);
        while (symbol.find()) {
            if (NOT_DROPS.contains(symbol.group(2))) {
                excluded.add("reason != " + symbol.group(1));
            }
        }
        return excluded.isEmpty() ? "0" : String.join(" && ", excluded);
    }

    /** The events as text lines, blocking until there are some. */
    public InputStream pipe() throws IOException {
        return Files.newInputStream(directory.resolve("trace_pipe"));
    }

    /** Writes a line into the trace: it comes back out of the pipe with its trace-clock timestamp. */
    public void mark(String text) throws IOException {
        write("trace_marker", text);
    }

    public Path directory() {
        return directory;
    }

    private void write(String file, String value) throws IOException {
        Files.writeString(directory.resolve(file), value, StandardCharsets.US_ASCII);
    }

    /** Turns the tracepoint off and removes the instance (its buffer goes with it). */
    @Override
    public void close() {
        remove(directory);
        LOG.info("kernel drop reasons: tracepoint off, {} removed", directory);
    }

    /** Removing an instance turns its events off; the kernel refuses while someone reads its pipe. */
    private static void remove(Path directory) {
        try {
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            LOG.warn("could not remove the trace instance {}: {}", directory, e.toString());
        }
    }

    private static void removeOrphans(Path instances) {
        try (DirectoryStream<Path> existing = Files.newDirectoryStream(instances, PREFIX + "*")) {
            for (Path instance : existing) {
                String pid = instance.getFileName().toString().substring(PREFIX.length()).split("-")[0];
                boolean alive = pid.chars().allMatch(Character::isDigit) && !pid.isEmpty()
                        && ProcessHandle.of(Long.parseLong(pid)).isPresent();
                if (!alive) {
                    // A sensor in another PID namespace looks dead from here: its open pipe makes the removal fail.
                    LOG.info("removing the trace instance {} of a sensor that is gone", instance);
                    remove(instance);
                }
            }
        } catch (IOException e) {
            LOG.warn("could not list {}: {}", instances, e.toString());
        }
    }

    /** Where tracefs is, mounting it at /sys/kernel/tracing when it is not. */
    private static Path tracefs() {
        if (Files.isDirectory(TRACEFS.resolve("instances"))) {
            return TRACEFS;
        }
        if (Files.isDirectory(DEBUGFS_TRACING.resolve("instances"))) {
            return DEBUGFS_TRACING;
        }
        try {
            Process mount = new ProcessBuilder("mount", "-t", "tracefs", "nodev", TRACEFS.toString())
                    .redirectErrorStream(true).start();
            String output = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!mount.waitFor(10, TimeUnit.SECONDS) || mount.exitValue() != 0) {
                throw new IllegalStateException("tracefs is not mounted and `mount -t tracefs nodev " + TRACEFS
                        + "` failed (needs root): " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("tracefs is not mounted and mount could not run: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while mounting tracefs", e);
        }
        LOG.info("mounted tracefs at {}", TRACEFS);
        return TRACEFS;
    }
}
