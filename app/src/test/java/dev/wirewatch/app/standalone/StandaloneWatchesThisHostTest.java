package dev.wirewatch.app.standalone;

import static dev.wirewatch.app.Shell.must;
import static dev.wirewatch.app.Shell.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wirewatch.app.AsNobody;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Seed case 1, live, watched as an operator of one host would: `wirewatch standalone` runs as an unprivileged user with
 * only CAP_NET_RAW in a namespace whose host firewall drops SYNs to 8080 on the interface it watches, while a client
 * in another namespace connects there and to a port that answers. The SYNs reached the server's NIC and were never
 * answered: UNANSWERED_SYN, DROPPED_AT_SERVER_HOST; the answered port stays quiet. Stopped (SIGTERM) and started
 * again on the same data directory, it neither repeats that finding nor misses the next drop. Its console shows
 * the finding.
 */
class StandaloneWatchesThisHostTest {
    private static final String SERVER_NS = "wwsa-srv";
    private static final String CLIENT_NS = "wwsa-cli";
    private static final String SERVER = "10.231.7.2";
    private static final int CONSOLE_PORT = 9000; // inside the server's namespace, beside the ports its firewall drops
    private static final ObjectMapper JSON = new ObjectMapper();
    private Path readable;
    private Process service;

    @BeforeEach
    void aServerWhoseFirewallDropsSynsToTwoPorts() throws Exception {
        assertTrue("root".equals(System.getProperty("user.name")), "namespaces need root: run the tests as root, as .ci/run does");
        cleanUp();
        must("ip netns add " + SERVER_NS + " && ip netns add " + CLIENT_NS
                + " && ip link add wwsa-c type veth peer name wwsa-s"
                + " && ip link set wwsa-c netns " + CLIENT_NS + " && ip link set wwsa-s netns " + SERVER_NS
                + " && ip -n " + CLIENT_NS + " link set wwsa-c name eth0 && ip -n " + SERVER_NS + " link set wwsa-s name eth0"
                + " && ip -n " + CLIENT_NS + " addr add 10.231.7.1/24 dev eth0 && ip -n " + SERVER_NS + " addr add "
                + SERVER + "/24 dev eth0"
                + " && for ns in " + CLIENT_NS + " " + SERVER_NS + "; do ip -n $ns link set lo up; ip -n $ns link set eth0 up; done"
                + " && ip netns exec " + SERVER_NS + " nft 'add table inet host; add chain inet host input"
                + " { type filter hook input priority 0; }; add rule inet host input tcp dport { 8080, 8081 } drop'");
        readable = Files.createTempDirectory("ww-standalone", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (service != null) {
            service.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        run("ip netns pids " + SERVER_NS + " 2>/dev/null | xargs -r kill -9; ip netns del " + SERVER_NS + " 2>/dev/null; ip netns del "
                + CLIENT_NS + " 2>/dev/null; true");
        if (readable != null) {
            try (Stream<Path> files = Files.walk(readable)) {
                files.sorted((a, b) -> b.compareTo(a)).forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    void findsTheDroppedSynsLiveAndAfterARestartNeitherRepeatsNorMissesAFinding() throws Exception {
        Path data = AsNobody.writable(readable.resolve("data"));
        Path alerts = data.resolve("alerts.jsonl");
        Process answering = new ProcessBuilder("ip", "netns", "exec", SERVER_NS, "/usr/bin/python3", "-m", "http.server",
                "--bind", SERVER, "8443").redirectErrorStream(true).redirectOutput(readable.resolve("http.log").toFile()).start();
        try {
            service = start(data, "first.log");
            assertEquals(Long.toHexString(1L << 13), AsNobody.effectiveCapabilities(service.pid()),
                    "it holds CAP_NET_RAW and nothing else");
            connect(8443, true);
            connect(8080, false);
            JsonNode first = awaitFinding(alerts, 8080, "first.log");
            assertEquals("DROPPED_AT_SERVER_HOST", first.path("cause").asText(), first.toString());
            assertEquals("server", first.path("host").asText(), first.toString());
            assertEquals(0, run("ip netns exec " + SERVER_NS + " /usr/bin/python3 -c 'import sys, urllib.request; "
                    + "sys.exit(0 if \"" + first.path("id").asText() + "\" in urllib.request.urlopen(\"http://127.0.0.1:"
                    + CONSOLE_PORT + "/api/alerts\").read().decode() else 1)'"), "its console shows the finding");

            service.destroy(); // SIGTERM
            assertTrue(service.waitFor(90, TimeUnit.SECONDS), "it stops on SIGTERM: " + log("first.log"));
            assertEquals(0, service.exitValue(), "a planned stop exits 0: " + log("first.log"));

            service = start(data, "second.log");
            connect(8081, false);
            awaitFinding(alerts, 8081, "second.log");
            Thread.sleep(6_000); // the sink's group wait: anything repeated would be out by now
        } finally {
            answering.destroy();
        }
        Map<String, Integer> deliveries = new HashMap<>();
        List<JsonNode> all = read(alerts);
        for (JsonNode alert : all) {
            deliveries.merge(alert.path("id").asText() + " revision " + alert.path("revision").asText("1"), 1, Integer::sum);
        }
        deliveries.values().removeIf(count -> count == 1);
        assertEquals(Map.of(), deliveries, "no finding delivered twice, across the restart: " + all);
        assertTrue(all.stream().noneMatch(alert -> alert.toString().contains(SERVER + ":8443")),
                "the answered port stays quiet: " + all);
    }

    private Process start(Path data, String log) throws Exception {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", SERVER_NS));
        command.addAll(AsNobody.wirewatch(readable, AsNobody.ONLY_NET_RAW, List.of("standalone", "--interface", "eth0",
                "--host", "server", "--data", data.toString(), "--to", "jsonl:" + data.resolve("alerts.jsonl"),
                "--console-port", String.valueOf(CONSOLE_PORT))));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(readable.resolve(log).toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!log(log).contains("capturing")) {
            assertTrue(process.isAlive(), "standalone ended: " + log(log));
            assertTrue(System.nanoTime() < deadline, "standalone did not start: " + log(log));
            Thread.sleep(200);
        }
        return process;
    }

    /** A client's connection attempt, given 4 s: its SYN and the kernel's retransmissions (1 s, 3 s). */
    private static void connect(int port, boolean answered) throws Exception {
        int exit = run("ip netns exec " + CLIENT_NS + " timeout 4 bash -c 'exec 3<>/dev/tcp/" + SERVER + "/" + port + "'");
        assertEquals(answered, exit == 0, "port " + port + (answered ? " answers" : " is dropped"));
    }

    private JsonNode awaitFinding(Path alerts, int port, String log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode alert : read(alerts)) {
                if (alert.path("type").asText().equals("UNANSWERED_SYN")
                        && alert.path("server").asText().equals(SERVER + ":" + port)) {
                    return alert;
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no UNANSWERED_SYN for " + SERVER + ":" + port + " in " + read(alerts) + "\n" + log(log));
    }

    private static List<JsonNode> read(Path alerts) throws IOException {
        List<JsonNode> read = new ArrayList<>();
        if (Files.exists(alerts)) {
            for (String line : Files.readAllLines(alerts)) {
                if (!line.isBlank()) {
                    read.add(JSON.readTree(line));
                }
            }
        }
        return read;
    }

    private String log(String name) throws IOException {
        Path file = readable.resolve(name);
        return Files.exists(file) ? Files.readString(file) : "";
    }
}
