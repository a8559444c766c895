package dev.wirewatch.processor;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.sensor.CaptureMerge;
import dev.wirewatch.sensor.FileEventSource;
import dev.wirewatch.sensor.emit.EmissionMode;
import dev.wirewatch.sensor.emit.RecordSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;

/**
 * A recorded seed case of deploy/samples, or a real-scale stretch of one in deploy/captures/long-idle: its captures
 * replayed through the real topology, and tshark's reading.
 */
public final class SampleCase {
    /** One sensor's capture: which host, which interface, which file of the case. */
    public record Capture(String host, String iface, String file) {}

    private final Path dir;

    public SampleCase(String name) {
        this(Path.of(System.getProperty("wirewatch.samples", "../deploy/samples")).resolve(name));
    }

    /** The folder of a set of deploy/captures/long-idle, which must be there (it is in the repository). */
    public static Path longIdleDir(String name) {
        Path dir = Path.of(System.getProperty("wirewatch.captures", "../deploy/captures")).resolve("long-idle")
                .resolve(name);
        assertTrue(Files.isRegularFile(dir.resolve("stretch.json")), dir + " holds no stretch.json");
        return dir;
    }

    /** A set of deploy/captures/long-idle (stretch.py's output: the captures, topology.yaml, stretch.json). */
    public static SampleCase longIdle(String name) {
        return new SampleCase(longIdleDir(name));
    }

    /** The captures in any folder. */
    public static SampleCase at(Path dir) {
        return new SampleCase(dir);
    }

    private SampleCase(Path dir) {
        this.dir = dir;
        assertTrue(Files.isDirectory(dir), "sample " + dir);
    }

    /** The same case with only the frames of each capture that match a display filter (tshark writes them). */
    public SampleCase filtered(String displayFilter) throws Exception {
        Path copy = Files.createTempDirectory("sample-filtered");
        Files.copy(dir.resolve("topology.yaml"), copy.resolve("topology.yaml"));
        try (var files = Files.list(dir)) {
            for (Path capture : files.filter(file -> file.toString().endsWith(".pcap")).toList()) {
                Process tshark = new ProcessBuilder("tshark", "-r", capture.toString(), "-Y", displayFilter, "-w",
                        copy.resolve(capture.getFileName()).toString(), "-F", "pcap")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                assertTrue(tshark.waitFor(60, TimeUnit.SECONDS) && tshark.exitValue() == 0, "tshark wrote " + capture);
            }
        }
        return new SampleCase(copy);
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    /** The alerts the processor gives for these captures, with the case's topology.yaml. */
    public List<Alert> alerts(ProcessorConfig config, Capture... captures) {
        List<CaptureMerge.NamedSource> sources = new ArrayList<>();
        try (ProcessorDriver driver = new ProcessorDriver(NetworkTopology.load(dir.resolve("topology.yaml")), config)) {
            for (Capture capture : captures) {
                sources.add(new CaptureMerge.NamedSource(capture.host(),
                        new FileEventSource(dir.resolve(capture.file()), capture.host(), capture.iface())));
            }
            CaptureMerge.replay(sources, driver.sink(), EmissionMode.CONTROL, count -> { });
            return driver.alerts();
        } finally {
            sources.forEach(source -> source.events().close());
        }
    }

    /** An alert and the capture time the input had reached when it came out; {@code atEnd}: only at the input's end. */
    public record Timed(Alert alert, long emittedAtMicros, boolean atEnd) {
        /** How long after its last packet the alert came out, in seconds of capture time. */
        public double delaySeconds() {
            return (emittedAtMicros - alert.getLastSeenMicros()) / 1e6;
        }
    }

    /**
     * The alerts for these captures as a live processor would give them: the sensors go on ticking for {@code
     * liveSeconds} after their captures end (a monitor keeps running), and only then does the input end. Each alert
     * carries the capture time at which it came out.
     */
    public List<Timed> timedAlerts(ProcessorConfig config, int liveSeconds, Capture... captures) {
        List<CaptureMerge.NamedSource> sources = new ArrayList<>();
        List<Timed> timed = new ArrayList<>();
        try (ProcessorDriver driver = new ProcessorDriver(NetworkTopology.load(dir.resolve("topology.yaml")), config)) {
            RecordSink into = driver.sink();
            java.util.Map<String, Long> ended = new java.util.LinkedHashMap<>();
            Runnable drain = () -> driver.alerts().forEach(alert -> timed.add(new Timed(alert, driver.inputMicros(), false)));
            RecordSink live = new RecordSink() {
                @Override
                public void publish(SpecificRecord record) {
                    into.publish(record);
                    drain.run();
                }

                private final java.util.Set<String> hosts = new java.util.LinkedHashSet<>();
                private long ticked = Long.MIN_VALUE;

                @Override
                public void tick(String host, long tsMicros, boolean endOfInput) {
                    if (endOfInput) {
                        ended.put(host, tsMicros); // held back: the sensor lives on
                        return;
                    }
                    // A replay ticks only when packets come; live sensors tick every second through a quiet spell too.
                    for (long ts = ticked + 1_000_000; ticked != Long.MIN_VALUE && ts < tsMicros; ts += 1_000_000) {
                        for (String each : hosts) {
                            into.tick(each, ts, false);
                        }
                        drain.run();
                    }
                    hosts.add(host);
                    ticked = Math.max(ticked, tsMicros);
                    into.tick(host, tsMicros, false);
                    drain.run();
                }
            };
            for (Capture capture : captures) {
                sources.add(new CaptureMerge.NamedSource(capture.host(),
                        new FileEventSource(dir.resolve(capture.file()), capture.host(), capture.iface())));
            }
            CaptureMerge.replay(sources, live, EmissionMode.CONTROL, count -> { });
            String[] hosts = ended.keySet().toArray(String[]::new);
            long last = driver.inputMicros();
            for (long ts = last + 1_000_000; ts <= last + liveSeconds * 1_000_000L; ts += 1_000_000) {
                driver.tick(ts, ts, hosts);
                drain.run();
            }
            driver.endOfInput(last + liveSeconds * 1_000_000L, hosts);
            driver.alerts().forEach(alert -> timed.add(new Timed(alert, driver.inputMicros(), true)));
            return timed;
        } finally {
            sources.forEach(source -> source.events().close());
        }
    }

    /** tshark's two-pass reading of one capture: a row of fields (first occurrence) per frame that matches. */
    public List<String[]> tshark(String file, String filter, String... fields) throws Exception {
        List<String> command = new ArrayList<>(List.of("tshark", "-2", "-n", "-r", dir.resolve(file).toString(), "-Y",
                filter, "-T", "fields", "-E", "occurrence=f"));
        for (String field : fields) {
            command.add("-e");
            command.add(field);
        }
        Process tshark = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String[]> rows = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(line -> !line.isBlank()).map(line -> line.split("\t", -1)).toList();
        assertTrue(tshark.waitFor(60, TimeUnit.SECONDS));
        return rows;
    }
}
