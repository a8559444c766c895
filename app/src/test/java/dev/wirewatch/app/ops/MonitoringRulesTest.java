package dev.wirewatch.app.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.app.sink.RecordingHttpServer;
import dev.wirewatch.record.Tick;
import dev.wirewatch.schemas.AvroSerde;
import dev.wirewatch.schemas.SequenceHeaders;
import dev.wirewatch.schemas.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's monitoring (deploy/prometheus, deploy/grafana) watches what wirewatch really exports: promtool's
 * unit tests of the alerting rules pass, and every metric name the rules and the dashboard use shows on the /metrics
 * of a running sensor (live on the loopback), processor or sink — seed case 1 replayed through a real broker, the
 * sink delivering to a file and failing to a webhook that refuses, and records a healthy run never has (undecodable,
 * a sensor's numbered records with a gap and a repeat), so that the counters of every outcome exist.
 */
class MonitoringRulesTest {
    private static final Path DEPLOY = Path.of(System.getProperty("user.dir")).getParent().resolve("deploy");
    private static final Path RULES = DEPLOY.resolve("prometheus/wirewatch-rules.yml");
    private static final Path DASHBOARD = DEPLOY.resolve("grafana/wirewatch.json");
    private static final Path CASE = DEPLOY.resolve("samples/01-firewall-drop");
    private static final Pattern USED = Pattern.compile("\\b((?:wirewatch|kafka)_[a-z0-9_]+)\\b");
    private static final Pattern EXPORTED = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<Integer, String> lastScrape = new ConcurrentHashMap<>();

    @TempDir
    Path temp;

    @Test
    void promtoolAcceptsTheRulesAndTheirUnitTestsPass() throws Exception {
        assertEquals(0, run("promtool", "check", "rules", RULES.toString()), "promtool check rules");
        assertEquals(0, run("promtool", "test", "rules", DEPLOY.resolve("prometheus/wirewatch-rules.test.yml").toString()),
                "promtool test rules");
    }

    @Test
    void everyMetricTheRulesAndTheDashboardUseIsExported() throws Exception {
        Set<String> used = new TreeSet<>();
        for (Path file : List.of(RULES, DASHBOARD)) {
            Matcher names = USED.matcher(Files.readString(file));
            while (names.find()) {
                used.add(names.group(1));
            }
        }
        assertTrue(used.size() >= 15, "the rules and the dashboard use wirewatch's metrics: " + used);

        List<Process> processes = new ArrayList<>();
        int processorPort = RecordingHttpServer.freePort();
        int sinkPort = RecordingHttpServer.freePort();
        int sensorPort = RecordingHttpServer.freePort();
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3));
             RecordingHttpServer refusing = RecordingHttpServer.on(0)) {
            refusing.answer(400); // not retried: counted as failed at once
            try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                    broker.bootstrapServers()))) {
                TopicSetup.ensure(admin, 3, Map.of());
            }
            // the services stop while the broker still runs: without it, each would wait out its close timeout
            try {
                String bootstrap = broker.bootstrapServers();
                processes.add(wirewatch("processor", "processor", "--bootstrap-servers", bootstrap, "--topology",
                        CASE.resolve("topology.yaml").toString(), "--application-id", "monitoring-test", "--state-dir",
                        temp.resolve("state").toString(), "--http-port", String.valueOf(processorPort)));
                processes.add(wirewatch("sink", "sink", "--bootstrap-servers", bootstrap, "--from-start", "--to",
                        "jsonl:" + temp.resolve("alerts.jsonl"), "--to",
                        "webhook:http://127.0.0.1:" + refusing.port() + "/hook", "--http-port",
                        String.valueOf(sinkPort)));
                // a live sensor serves /metrics (a replay does not); the case's replay gives the processor its
                // findings. All start at once: the processor reads ww.packets from its start, whenever it comes up.
                processes.add(wirewatch("sensor", "sensor", "--bootstrap-servers", bootstrap, "--host", "watcher",
                        "--interface", "lo", "--filter", "tcp port " + refusing.port(), "--http-port",
                        String.valueOf(sensorPort)));
                processes.add(wirewatch("replay", "sensor", "--bootstrap-servers", bootstrap, "--host", "client",
                        "--read", CASE.resolve("client.pcap").toString()));
                misbehave(bootstrap);
                await(() -> metrics(sensorPort).contains("wirewatch_sensor_packets_captured_total"),
                        "the sensor's /metrics");
                // Kafka's client metrics join /metrics as Micrometer's binder finds them (the processor looks each 5 s)
                await(() -> used.stream().filter(name -> !name.startsWith("wirewatch_sensor_")).allMatch(name ->
                        names(metrics(processorPort) + "\n" + metrics(sinkPort)).contains(name)),
                        "every processor and sink metric");
            } catch (AssertionError timedOut) {
                // the last scrapes say which are missing, below
            } finally {
                stop(processes);
            }
        }
        Set<String> exported = new TreeSet<>();
        lastScrape.values().forEach(scrape -> exported.addAll(names(scrape)));
        Set<String> missing = new TreeSet<>(used);
        missing.removeAll(exported);
        StringBuilder logs = new StringBuilder();
        for (String log : List.of("processor", "sink", "sensor", "replay")) {
            Path file = temp.resolve(log + ".log");
            List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
            logs.append("\n").append(log).append(".log: ").append(lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        }
        assertEquals(Set.of(), missing, "used by deploy/prometheus or deploy/grafana but exported by no component" + logs
                + "\nexported: " + exported);
    }

    /** Asks every process to stop at once, then waits for each. */
    private static void stop(List<Process> processes) throws InterruptedException {
        processes.forEach(Process::destroy);
        for (Process process : processes) {
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * What a healthy run never shows, so that its counters exist: a record that is no wirewatch record (a dead
     * letter), and a sensor's numbered records with one number missing (lost) and one sent twice (a duplicate).
     */
    private static void misbehave(String bootstrap) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.PACKETS, 0, new byte[] {1}, "not a record".getBytes()));
            var ticks = AvroSerde.anyRecord().serializer();
            for (long number : new long[] {1, 3, 3}) {
                Tick tick = Tick.newBuilder().setHost("numbered").setTsMicros(1_780_000_000_000_000L + number).build();
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(Topics.PACKETS, 0,
                        "numbered".getBytes(), ticks.serialize(Topics.PACKETS, tick));
                new SequenceHeaders("numbered", "run-1", number).stamp(record.headers());
                producer.send(record);
            }
        }
    }

    private Process wirewatch(String log, String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.wirewatch.app.Main"));
        command.addAll(List.of(arguments));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(temp.resolve(log + ".log").toFile())
                .start();
    }

    /** A component's /metrics now ("" if it does not answer); each port's last answer is kept. */
    private String metrics(int port) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/metrics")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return "";
            }
            lastScrape.put(port, response.body());
            return response.body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    private static Set<String> names(String scrape) {
        Set<String> names = new TreeSet<>();
        Matcher line = EXPORTED.matcher(scrape);
        while (line.find()) {
            names.add(line.group(1));
        }
        return names;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(250);
        }
    }

    private int run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(temp.resolve("promtool.log").toFile()).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command));
        int exit = process.exitValue();
        if (exit != 0) {
            System.err.println(Files.readString(temp.resolve("promtool.log"), StandardCharsets.UTF_8));
        }
        return exit;
    }
}
