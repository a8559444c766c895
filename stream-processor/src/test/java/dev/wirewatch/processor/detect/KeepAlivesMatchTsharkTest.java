package dev.wirewatch.processor.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.TestCaptures;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.sensor.CaptureMerge;
import dev.wirewatch.sensor.FileEventSource;
import dev.wirewatch.sensor.emit.EmissionMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * KEEPALIVE_UNANSWERED on every shared trace and the kernel-made captures, one vantage at a time, against tshark's
 * own keep-alive analysis of the same file: a sender's run of tshark `tcp.analysis.keep_alive` segments with no
 * packet from the peer in between counts as unanswered, all but the last when the peer then answers, all of it
 * when the capture ends first. Whatever tshark finds at or above `keepalive-probes` must be reported, and nothing
 * else; the traces with keep-alives that were answered (Zeek's modbus and redis traces, the bulk transfer) are
 * the traps.
 */
class KeepAlivesMatchTsharkTest {
    private static final Path CAPTURES = Path.of("../deploy");

    static Stream<Path> captures() throws Exception {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(TestCaptures.traces())) {
            files.filter(f -> f.toString().matches(".*\\.pcap(ng)?$")).sorted().forEach(all::add);
        }
        all.add(CAPTURES.resolve("captures/bulk-transfer/client.pcap"));
        all.add(CAPTURES.resolve("samples/06-idle-session-dropped/client.pcap"));
        return all.stream();
    }

    /** Sender endpoint ("ip:port") to its most unanswered keep-alives in a row, by tshark. */
    private static Map<String, Long> unansweredByTshark(Path capture) throws Exception {
        Process tshark = new ProcessBuilder("tshark", "-n", "-r", capture.toString(), "-Y", "tcp", "-T", "fields",
                "-e", "tcp.stream", "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport", "-e", "tcp.analysis.keep_alive")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String[]> rows = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(line -> !line.isBlank()).map(line -> line.split("\t", -1)).toList();
        tshark.waitFor(60, TimeUnit.SECONDS);
        Map<String, String> runSender = new HashMap<>();   // stream -> sender of the current run
        Map<String, Long> run = new HashMap<>();           // stream -> length of the current run
        Map<String, Long> most = new TreeMap<>();
        for (String[] row : rows) {
            String stream = row[0];
            String ip = row[1].isEmpty() ? "[" + row[2] + "]" : row[1];
            String sender = ip + ":" + row[3];
            boolean keepAlive = row.length > 4 && !row[4].isEmpty();
            if (runSender.containsKey(stream) && !runSender.get(stream).equals(sender)) {
                most.merge(runSender.get(stream), run.get(stream) - 1, Math::max); // answered: all but the last
                runSender.remove(stream);
                run.remove(stream);
            }
            if (keepAlive) {
                runSender.put(stream, sender);
                run.merge(stream, 1L, Long::sum);
            }
        }
        runSender.forEach((stream, sender) -> most.merge(sender, run.get(stream), Math::max)); // the capture ended
        most.values().removeIf(count -> count < ProcessorConfig.DEFAULTS.keepaliveProbes());
        return most;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void unansweredKeepAlivesAreWhatTsharkFinds(Path capture) throws Exception {
        assertTrue(Files.exists(capture), capture + " is missing");
        Map<String, Long> expected = unansweredByTshark(capture);
        Map<String, Long> found = new TreeMap<>();
        List<CaptureMerge.NamedSource> sources = new ArrayList<>();
        try (ProcessorDriver driver = new ProcessorDriver(NetworkTopology.EMPTY, ProcessorConfig.DEFAULTS)) {
            sources.add(new CaptureMerge.NamedSource("h", new FileEventSource(capture, "h", null)));
            CaptureMerge.replay(sources, driver.sink(), EmissionMode.CONTROL, count -> { });
            driver.alerts().stream().filter(alert -> alert.getType().equals(KeepAliveUnansweredDetector.TYPE))
                    .forEach(alert -> found.put(prober(alert.getSummary()), alert.getCount()));
        } finally {
            sources.forEach(source -> source.events().close());
        }
        assertEquals(expected, found, capture.getFileName() + ": prober -> unanswered probes");
    }

    /** The prober is the first word of the summary ("ip:port sent N TCP keep-alive probes ..."). */
    private static String prober(String summary) {
        return summary.substring(0, summary.indexOf(' '));
    }
}
