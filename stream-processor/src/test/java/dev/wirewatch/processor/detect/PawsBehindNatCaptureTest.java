package dev.wirewatch.processor.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Severity;
import dev.wirewatch.sensor.CaptureMerge;
import dev.wirewatch.sensor.FileEventSource;
import dev.wirewatch.sensor.emit.EmissionMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Seed case 4 as real kernels produced it (deploy/samples/04-paws-behind-nat): what PAWS_SYN_DROP must report is
 * read from the server's capture by tshark, by ALERTS.md's rule — every connection from the gateway's address whose
 * SYNs got no answer, to a port that answered that address in the minute before, where the answered TSvals rose
 * (RFC 7323 serial order) and the dropped one is older than the last of them.
 */
class PawsBehindNatCaptureTest {
    private static final Path CASE = Path.of(System.getProperty("wirewatch.samples", "../deploy/samples"))
            .resolve("04-paws-behind-nat");

    /** One connection as tshark saw it at the server: its first SYN's time and TSval, and whether it was answered. */
    private record Attempt(int port, int serverPort, double time, long tsVal, boolean answered) {}

    private static List<Attempt> attemptsAtServer() throws Exception {
        Process tshark = new ProcessBuilder("tshark", "-n", "-r", CASE.resolve("server.pcap").toString(), "-Y",
                "tcp.flags.syn==1", "-T", "fields", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.flags.ack",
                "-e", "frame.time_epoch", "-e", "tcp.options.timestamp.tsval")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String[]> rows = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(line -> !line.isBlank()).map(line -> line.split("\t")).toList();
        assertTrue(tshark.waitFor(60, TimeUnit.SECONDS));
        Map<Integer, Attempt> byPort = new TreeMap<>();
        for (String[] row : rows) {
            boolean synAck = row[2].equals("1") || row[2].equalsIgnoreCase("true");
            int clientPort = Integer.parseInt(synAck ? row[1] : row[0]);
            if (synAck) {
                byPort.computeIfPresent(clientPort, (port, a) -> new Attempt(port, a.serverPort(), a.time(), a.tsVal(), true));
            } else {
                byPort.putIfAbsent(clientPort, new Attempt(clientPort, Integer.parseInt(row[1]),
                        Double.parseDouble(row[3]), Long.parseLong(row[4]), false));
            }
        }
        return new ArrayList<>(byPort.values());
    }

    private static List<Attempt> window(List<Attempt> attempts, Attempt dropped) {
        return attempts.stream().filter(a -> a.answered() && a.serverPort() == dropped.serverPort()
                && a.time() < dropped.time() && a.time() >= dropped.time() - 60)
                .sorted(java.util.Comparator.comparingDouble(Attempt::time)).toList();
    }

    private static boolean fitsPaws(List<Attempt> attempts, Attempt dropped) {
        List<Attempt> window = window(attempts, dropped);
        for (int i = 1; i < window.size(); i++) {
            if ((int) (window.get(i).tsVal() - window.get(i - 1).tsVal()) <= 0) {
                return false;
            }
        }
        return !window.isEmpty() && (int) (window.get(window.size() - 1).tsVal() - dropped.tsVal()) > 0;
    }

    @Test
    void everyUnansweredSynOlderThanARecentlyAnsweredOneIsAPawsDrop() throws Exception {
        assertTrue(Files.isDirectory(CASE), "sample case 4 not found");
        List<Attempt> attempts = attemptsAtServer();
        List<Integer> expected = attempts.stream().filter(dropped -> !dropped.answered() && fitsPaws(attempts, dropped))
                .map(Attempt::port).sorted().toList();
        assertTrue(expected.size() >= 1, "the sample holds PAWS drops: " + attempts);
        boolean nonMonotonicAnswered = false;
        for (int i = 1; i < attempts.size(); i++) {
            nonMonotonicAnswered |= attempts.get(i).answered() && attempts.get(i - 1).answered()
                    && (int) (attempts.get(i).tsVal() - attempts.get(i - 1).tsVal()) < 0;
        }
        assertTrue(nonMonotonicAnswered, "and the trap: answered SYNs whose TSvals go backwards");

        List<Alert> alerts = new ArrayList<>();
        List<CaptureMerge.NamedSource> sources = new ArrayList<>();
        try (ProcessorDriver driver = new ProcessorDriver(NetworkTopology.load(CASE.resolve("topology.yaml")),
                ProcessorConfig.DEFAULTS)) {
            for (String host : List.of("gateway", "server")) {
                sources.add(new CaptureMerge.NamedSource(host, new FileEventSource(CASE.resolve(host + ".pcap"), host, null)));
            }
            CaptureMerge.replay(sources, driver.sink(), EmissionMode.CONTROL, count -> { });
            alerts.addAll(driver.alerts());
        } finally {
            sources.forEach(source -> source.events().close());
        }
        List<Alert> paws = alerts.stream().filter(alert -> alert.getType().equals(PawsSynDropDetector.TYPE)).toList();
        assertEquals(expected, paws.stream().map(alert -> Integer.valueOf(alert.getClient().split(":")[1])).sorted()
                .collect(Collectors.toList()));
        paws.forEach(alert -> {
            assertEquals("198.51.100.1", alert.getClientIp());
            assertEquals("server", alert.getHost());
        });
        assertEquals(List.of(), alerts.stream().filter(alert -> !alert.getType().equals(PawsSynDropDetector.TYPE)
                && !alert.getType().equals(UnansweredSynDetector.TYPE)).toList(), "nothing else");

        // One fault, one alert: where at least three accepted connections in the window make the chain (so that
        // chance cannot fit it), the PAWS_SYN_DROP is the one warning for the dropped connection; the same SYNs'
        // UNANSWERED_SYN goes out as info, naming the PAWS alert and carrying its hint, not the firewall's.
        Map<Integer, Integer> chain = new TreeMap<>();
        attempts.stream().filter(dropped -> expected.contains(dropped.port()))
                .forEach(dropped -> chain.put(dropped.port(), window(attempts, dropped).size()));
        assertTrue(chain.values().stream().allMatch(length -> length >= PawsSynDropDetector.EXPLAINS_FROM_CHAIN),
                "every drop in the sample follows a chain of three or more: " + chain);
        assertEquals(paws, alerts.stream().filter(alert -> alert.getSeverity().ordinal() >= Severity.warning.ordinal())
                .toList(), "the only warnings");
        Map<String, Alert> pawsByClient = paws.stream().collect(Collectors.toMap(Alert::getClient, alert -> alert));
        List<Alert> unanswered = alerts.stream().filter(alert -> alert.getType().equals(UnansweredSynDetector.TYPE)).toList();
        assertEquals(expected, unanswered.stream().map(alert -> Integer.valueOf(alert.getClient().split(":")[1])).sorted()
                .collect(Collectors.toList()), "every dropped connection was found unanswered too");
        unanswered.forEach(alert -> {
            Alert explaining = pawsByClient.get(alert.getClient());
            assertEquals(Severity.info, alert.getSeverity(), alert.toString());
            assertEquals("DROPPED_AT_SERVER_HOST", alert.getCause(), "where it was lost stays said");
            assertEquals(explaining.getId(), alert.getExplainedBy(), alert.toString());
            assertEquals(explaining.getHint(), alert.getHint(), "PAWS's hint, not the firewall's");
        });
    }
}
