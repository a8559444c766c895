package dev.wirewatch.app.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.app.kafka.GroupLag;
import dev.wirewatch.app.kafka.TopicReads;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.processor.TopologyFactory;
import dev.wirewatch.record.Alert;
import dev.wirewatch.schemas.AvroSerde;
import dev.wirewatch.schemas.Topics;
import dev.wirewatch.sensor.CaptureMerge;
import dev.wirewatch.sensor.FileEventSource;
import dev.wirewatch.sensor.emit.EmissionMode;
import dev.wirewatch.sensor.emit.RecordPublisher;
import dev.wirewatch.sensor.emit.RecordSink;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A `wirewatch processor --http-port` on a real broker, fed seed case 6 and some garbage: its /metrics passes
 * {@code promtool check metrics}, shows the flows and connections it holds while the input is open and none once it
 * has ended, a timer waiting for each open flow and none once they have fired, state on disk that grew with the
 * records, a stream time lag as old as the capture, the consumer's lag on ww.packets and the records it processes
 * per second, the garbage as dead letters (logged in one line, no stack trace), and as many alerts of each type as
 * reached ww.alerts.
 */
class ProcessorMetricsEndpointTest {
    private static final Path CASE = Path.of(System.getProperty("wirewatch.samples", "../deploy/samples"))
            .resolve("06-idle-session-dropped");
    private static final String APP = "metrics-test";
    private static final int GARBAGE = 5;
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path temp;

    @Test
    void metricsCountWhatTheProcessorHoldsAndWrote() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3))) {
            Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            try (Admin admin = Admin.create(client)) {
                TopicSetup.ensure(admin, 3, Map.of());
            }
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            Process processor = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "dev.wirewatch.app.Main", "processor",
                    "--bootstrap-servers", broker.bootstrapServers(), "--topology", CASE.resolve("topology.yaml").toString(),
                    "--application-id", APP, "--state-dir", temp.resolve("state").toString(), "--from-now",
                    "--http-port", String.valueOf(port)).redirectErrorStream(true)
                    .redirectOutput(temp.resolve("processor.log").toFile()).start();
            try {
                await(() -> status(port, "/health") == 200, processor, "the processor running");
                double stateBefore = value(get(port), "wirewatch_state_size_bytes");
                Map<TopicPartition, Long> alertsBefore = ends(client, Topics.ALERTS);

                // The case without its end: its flows stay open.
                List<Runnable> endsOfInput = new ArrayList<>();
                AtomicLong firstTs = new AtomicLong(Long.MAX_VALUE);
                AtomicLong lastTs = new AtomicLong(Long.MIN_VALUE);
                try (RecordPublisher publisher = new RecordPublisher(client)) {
                    List<CaptureMerge.NamedSource> sources = List.of(
                            new CaptureMerge.NamedSource("client", new FileEventSource(CASE.resolve("client.pcap"), "client", null)),
                            new CaptureMerge.NamedSource("server", new FileEventSource(CASE.resolve("server.pcap"), "server", null)));
                    CaptureMerge.replay(sources, new RecordSink() {
                        @Override
                        public void publish(SpecificRecord record) {
                            publisher.publish(record);
                        }

                        @Override
                        public void tick(String host, long tsMicros, boolean endOfInput) {
                            if (endOfInput) {
                                endsOfInput.add(() -> publisher.tick(host, tsMicros, true));
                                return;
                            }
                            firstTs.accumulateAndGet(tsMicros, Math::min);
                            lastTs.accumulateAndGet(tsMicros, Math::max);
                            publisher.tick(host, tsMicros, false);
                        }
                    }, EmissionMode.CONTROL, count -> { });
                    sources.forEach(source -> source.events().close());
                    publisher.flush();
                    sendGarbage(client);
                    await(() -> lag(client, Topics.PACKETS) == 0, processor, "ww.packets read to its end");

                    String open = get(port);
                    promtoolAccepts(open);
                    double flows = value(open, "wirewatch_flows_tracked");
                    assertTrue(flows > 0, "flows held while the input is open: " + open);
                    assertTrue(value(open, "wirewatch_connections_tracked") >= flows, "a view per vantage of each flow");
                    assertEquals(flows, value(open, "wirewatch_timers_pending{stage=\"flow\"}"),
                            "one timer waits for each open flow: its next judgement or its expiry");
                    double state = value(open, "wirewatch_state_size_bytes");
                    assertTrue(state > stateBefore && stateBefore >= 0, "the state on disk grew with the records: "
                            + stateBefore + " -> " + state);
                    double lag = value(open, "wirewatch_stream_time_lag_seconds");
                    double now = System.currentTimeMillis() / 1000.0;
                    assertTrue(lag >= now - lastTs.get() / 1e6 - 5 && lag <= now - firstTs.get() / 1e6 + 5,
                            "stream time lag as old as the capture: " + lag);
                    assertEquals(GARBAGE, value(open, "wirewatch_dead_letters_total{reason=\"not-a-wirewatch-record\",topic=\"ww.packets\"}"));
                    assertTrue(value(open, "kafka_stream_thread_process_rate") > 0, "records processed per second");
                    // Kafka creates the consumer's lag per partition at its first fetch; /metrics finds it within seconds
                    String lagOfPackets = "kafka_consumer_fetch_manager_records_lag";
                    await(() -> ofTopic(scrape(port), lagOfPackets, Topics.PACKETS).size() == 3, processor,
                            "the consumer's lag of each ww.packets partition");
                    assertEquals(List.of(0.0, 0.0, 0.0), ofTopic(scrape(port), lagOfPackets, Topics.PACKETS),
                            "ww.packets read to its end");

                    endsOfInput.forEach(Runnable::run);
                    publisher.flush();
                }
                await(() -> judged(client), processor, "the input judged to its end");
                String ended = get(port);
                promtoolAccepts(ended);
                assertEquals(0, value(ended, "wirewatch_flows_tracked"), "every flow closed at the end of the input");
                assertEquals(0, value(ended, "wirewatch_connections_tracked"));
                assertEquals(0, value(ended, "wirewatch_timers_pending{stage=\"flow\"}"), "every flow's timer has fired");

                Map<String, Integer> written = new TreeMap<>();
                var alerts = AvroSerde.of(Alert.class).deserializer();
                try (KafkaConsumer<byte[], byte[]> consumer = TopicReads.consumer(client)) {
                    TopicReads.readToEnd(consumer, alertsBefore, record -> written.merge(
                            alerts.deserialize(Topics.ALERTS, record.value()).getType(), 1, Integer::sum));
                }
                assertTrue(written.size() >= 2, "the case gives alerts of several types: " + written);
                Map<String, Integer> counted = new TreeMap<>();
                Matcher series = Pattern.compile("(?m)^wirewatch_alerts_total\\{type=\"(\\w+)\"} (\\S+)$").matcher(ended);
                while (series.find()) {
                    counted.put(series.group(1), (int) Double.parseDouble(series.group(2)));
                }
                assertEquals(written, counted, "wirewatch_alerts_total by type is what reached ww.alerts");
                String log = java.nio.file.Files.readString(temp.resolve("processor.log"));
                assertEquals(1, log.lines().filter(line -> line.contains("dead letter: ww.packets")).count(),
                        "five undecodable records, one line: " + log);
                assertTrue(log.lines().noneMatch(line -> line.startsWith("\tat ")), "no stack trace: " + log);
            } finally {
                processor.destroy();
                processor.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static void sendGarbage(Map<String, Object> client) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(client, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < GARBAGE; i++) {
                producer.send(new ProducerRecord<>(Topics.PACKETS, i % 3, new byte[] {1},
                        ("not a record " + i).getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    private static Map<TopicPartition, Long> ends(Map<String, Object> client, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReads.consumer(client)) {
            return TopicReads.endOffsets(consumer, topic);
        }
    }

    private static long lag(Map<String, Object> client, String topic) {
        try (Admin admin = Admin.create(client)) {
            GroupLag.TopicLag lag = GroupLag.of(admin, APP, List.of(topic)).get(topic);
            return lag.committed() ? lag.records() : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    /** Every partition of the service stage has marked the end of the input as judged. */
    private static boolean judged(Map<String, Object> client) {
        Set<String> done = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReads.consumer(client)) {
            String progress = TopologyFactory.progressTopic(APP);
            Map<TopicPartition, Long> from = new java.util.HashMap<>();
            TopicReads.partitions(consumer, progress).forEach(partition -> from.put(partition, 0L));
            TopicReads.readToEnd(consumer, from, record -> done.add(new String(record.key(), StandardCharsets.UTF_8)));
        } catch (RuntimeException e) {
            return false;
        }
        return done.size() >= 3;
    }

    private static void await(BooleanSupplier condition, Process processor, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!condition.getAsBoolean()) {
            assertTrue(processor.isAlive(), "the processor stopped before " + what);
            assertTrue(System.nanoTime() < deadline, "no " + what + " within 3 minutes");
            Thread.sleep(300);
        }
    }

    private int status(int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private String get(int port) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /**
     * promtool parses the whole scrape (exit 3 is lint only: Kafka's own metric names, such as *_time_ns_total, are
     * not ours to rename) and finds nothing to lint in the wirewatch_* families.
     */
    private static void promtoolAccepts(String metrics) throws Exception {
        String all = promtool(metrics, 0, 3);
        assertTrue(all.lines().noneMatch(line -> line.startsWith("wirewatch_")), all);
        String ours = metrics.lines().filter(line -> line.startsWith("wirewatch_") || line.matches("# (HELP|TYPE) wirewatch_.*"))
                .collect(java.util.stream.Collectors.joining("\n", "", "\n"));
        promtool(ours, 0);
    }

    private static String promtool(String metrics, int... accepted) throws Exception {
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        promtool.getOutputStream().write(metrics.getBytes(StandardCharsets.UTF_8));
        promtool.getOutputStream().close();
        String said = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(promtool.waitFor(60, TimeUnit.SECONDS));
        int exit = promtool.exitValue();
        assertTrue(java.util.Arrays.stream(accepted).anyMatch(code -> code == exit), "promtool check metrics, exit "
                + exit + ": " + said);
        return said;
    }

    /** The values of the series of {@code name} about {@code topic}. */
    private static List<Double> ofTopic(String metrics, String name, String topic) {
        return metrics.lines().filter(line -> line.startsWith(name + "{") && line.contains("topic=\"" + topic + "\""))
                .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).toList();
    }

    /** /metrics now, "" while it does not answer. */
    private String scrape(int port) {
        try {
            return get(port);
        } catch (Exception e) {
            return "";
        }
    }

    /** The value of the series that starts with {@code series} (name and, if given, labels). */
    private static double value(String metrics, String series) {
        return metrics.lines().filter(line -> line.startsWith(series + " ") || line.startsWith(series + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }
}
