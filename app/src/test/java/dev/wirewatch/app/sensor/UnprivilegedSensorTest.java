package dev.wirewatch.app.sensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.AsNobody;
import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.app.kafka.TopicSetup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sensor as its own unprivileged user (nobody) with exactly CAP_NET_RAW (setpriv, as systemd's
 * AmbientCapabilities gives it) captures live on the loopback, in promiscuous mode: every packet tcpdump sees of the
 * test's connections reaches ww.packets. Without the capability it stops at once with one line that names it.
 */
class UnprivilegedSensorTest {
    private static EmbeddedBroker broker;
    private Path readable;

    @BeforeEach
    void start() throws IOException {
        assertTrue("root".equals(System.getProperty("user.name")), "setpriv needs root: run the tests as root, as .ci/run does");
        broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3));
        try (Admin admin = Admin.create(client())) {
            TopicSetup.ensure(admin, 3, Map.of());
        }
        readable = Files.createTempDirectory("ww-unprivileged", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
    }

    @AfterEach
    void stop() throws IOException {
        broker.close();
        try (Stream<Path> files = Files.walk(readable)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(path -> path.toFile().delete());
        }
    }

    @Test
    void withOnlyCapNetRawItCapturesWhatTcpdumpSees() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = listener.getLocalPort();
            Path truth = readable.resolve("tcpdump.pcap");
            Process tcpdump = new ProcessBuilder("tcpdump", "-i", "lo", "-s", "128", "-U", "-w", truth.toString(),
                    "tcp port " + port).redirectErrorStream(true).redirectOutput(readable.resolve("tcpdump.log").toFile())
                    .start();
            Process sensor = sensor(AsNobody.ONLY_NET_RAW, "--interface", "lo", "--promiscuous", "--mode", "full",
                    "--filter", "tcp port " + port);
            try {
                awaitLine(readable.resolve("sensor.log"), "capturing", sensor);
                assertEquals(Long.toHexString(1L << 13), AsNobody.effectiveCapabilities(sensor.pid()),
                        "the sensor holds CAP_NET_RAW and nothing else");
                Thread.sleep(1_000); // tcpdump's handle open too
                for (int i = 0; i < 5; i++) {
                    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
                         Socket accepted = listener.accept()) {
                        socket.getOutputStream().write(("hello " + i).getBytes());
                        accepted.getInputStream().readNBytes(7);
                    }
                }
                Thread.sleep(2_000);
            } finally {
                sensor.destroy(); // SIGTERM: it flushes what it captured
                assertTrue(sensor.waitFor(60, TimeUnit.SECONDS), "the sensor stops on SIGTERM");
                tcpdump.destroy();
                tcpdump.waitFor(10, TimeUnit.SECONDS);
            }
            long seen = tcpdumpCount(truth);
            assertTrue(seen >= 5 * 8, "five connections' packets on the loopback: " + seen);
            assertEquals(seen, SensorMetricsEndpointTest.countPackets(broker, port, seen), "every packet tcpdump saw reached ww.packets; sensor log: "
                    + Files.readString(readable.resolve("sensor.log")));
        }
    }

    @Test
    void withoutItTheSensorSaysWhichCapabilityItLacks() throws Exception {
        Process sensor = sensor(List.of("--inh-caps", "-all", "--bounding-set", "-all"), "--interface", "lo");
        assertTrue(sensor.waitFor(60, TimeUnit.SECONDS), "it stops at once");
        List<String> lines = Files.readAllLines(readable.resolve("sensor.log"));
        assertEquals(2, sensor.exitValue(), "a usage error: " + lines);
        assertEquals(1, lines.size(), "one line: " + lines);
        assertTrue(lines.get(0).contains("CAP_NET_RAW") && lines.get(0).contains("AmbientCapabilities"), lines.get(0));
    }

    /** `wirewatch sensor` as nobody with the given setpriv capability options. */
    private Process sensor(List<String> capabilities, String... arguments) throws IOException {
        List<String> sensor = new ArrayList<>(List.of("sensor", "--bootstrap-servers", broker.bootstrapServers(),
                "--host", "unprivileged"));
        sensor.addAll(List.of(arguments));
        Path log = readable.resolve("sensor.log");
        return new ProcessBuilder(AsNobody.wirewatch(readable, capabilities, sensor)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    private static void awaitLine(Path log, String text, Process process) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.readString(log).contains(text)) {
            assertTrue(process.isAlive(), "the sensor ended: " + Files.readString(log));
            assertTrue(System.nanoTime() < deadline, "the sensor did not start capturing: " + Files.readString(log));
            Thread.sleep(200);
        }
    }

    private static long tcpdumpCount(Path capture) throws Exception {
        Process read = new ProcessBuilder("tcpdump", "-n", "-r", capture.toString()).redirectError(
                ProcessBuilder.Redirect.DISCARD).start();
        long count = new String(read.getInputStream().readAllBytes()).lines().count();
        assertTrue(read.waitFor(30, TimeUnit.SECONDS));
        return count;
    }

    private static Map<String, Object> client() {
        return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    }
}
