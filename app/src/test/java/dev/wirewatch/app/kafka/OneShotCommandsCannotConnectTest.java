package dev.wirewatch.app.kafka;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * analyze, export and replay against a port where no Kafka listens say "cannot connect to HOST:PORT (why)" within
 * seconds and exit non-zero, instead of a minute later about a topic. The bound is generous for a loaded machine;
 * the measured time is printed.
 */
class OneShotCommandsCannotConnectTest {
    private static final Path SAMPLE = Path.of(System.getProperty("wirewatch.samples", "../deploy/samples"))
            .resolve("01-firewall-drop");

    private record Outcome(int code, String err, double seconds) {}

    private static Outcome run(String... args) throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        long started = System.nanoTime();
        try {
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            int code = CompletableFuture.supplyAsync(() -> Main.run(args)).get(20, TimeUnit.SECONDS);
            return new Outcome(code, stderr.toString(StandardCharsets.UTF_8), (System.nanoTime() - started) / 1e9);
        } finally {
            System.setErr(err);
        }
    }

    private static String closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "127.0.0.1:" + socket.getLocalPort();
        }
    }

    private static void assertCannotConnect(String bootstrap, Outcome outcome) {
        System.out.printf("%s: exit %d after %.1f s%n", outcome.err().trim(), outcome.code(), outcome.seconds());
        assertNotEquals(0, outcome.code(), outcome.err());
        assertTrue(outcome.err().contains("cannot connect to " + bootstrap + " (connection refused"), outcome.err());
        assertFalse(outcome.err().contains("\tat "), "no stack trace: " + outcome.err());
    }

    @Test
    void analyzeSaysCannotConnect() throws Exception {
        String bootstrap = closedPort();
        assertCannotConnect(bootstrap, run("analyze", "--bootstrap-servers", bootstrap,
                "--topology", SAMPLE.resolve("topology.yaml").toString(),
                "--pcap", "client=" + SAMPLE.resolve("client.pcap")));
    }

    @Test
    void exportAndReplaySayCannotConnect() throws Exception {
        String bootstrap = closedPort();
        assertCannotConnect(bootstrap, run("export", "--bootstrap-servers", bootstrap,
                "--flow", "10.0.0.1:1000-10.0.0.2:80", "-w", "/tmp/topocheck-never-written.pcapng"));
        assertCannotConnect(bootstrap, run("replay", "--bootstrap-servers", bootstrap,
                "--from", "2026-12-01", "--to", "2026-12-02"));
    }
}
