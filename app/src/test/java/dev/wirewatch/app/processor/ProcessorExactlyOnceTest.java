package dev.wirewatch.app.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.analyze.Analysis;
import dev.wirewatch.app.analyze.CaptureInput;
import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.processor.ProcessorService;
import dev.wirewatch.processor.TestCaptures;
import dev.wirewatch.processor.TopologyFactory;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.FlowFinding;
import dev.wirewatch.schemas.AvroSerde;
import dev.wirewatch.schemas.Topics;
import dev.wirewatch.sensor.CaptureMerge;
import dev.wirewatch.sensor.FileEventSource;
import dev.wirewatch.sensor.emit.EmissionMode;
import dev.wirewatch.sensor.emit.RecordPublisher;
import dev.wirewatch.sensor.emit.RecordSink;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor on a real broker with exactly-once: killed with SIGKILL in the middle of its input and started
 * again, it reports every alert exactly once, with the ids (and severities, and explanations) a clean run gives —
 * also when it is killed while the service stage holds an UNANSWERED_SYN for the PAWS detector; records it cannot
 * decode go to ww.deadletter and the rest is processed.
 */
class ProcessorExactlyOnceTest {
    private static final Path CASE = Path.of(System.getProperty("wirewatch.samples", "../deploy/samples"))
            .resolve("06-idle-session-dropped");
    private static final Path PAWS_CASE = Path.of(System.getProperty("wirewatch.samples", "../deploy/samples"))
            .resolve("04-paws-behind-nat");
    private static final Path POP3 = TestCaptures.trace("zeek_pop3_REJ.pcap");
    private static EmbeddedBroker broker;
    private static Map<String, Object> client;

    @TempDir
    Path temp;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3));
        client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (Admin admin = Admin.create(client)) {
            TopicSetup.ensure(admin, 3, Map.of());
        }
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static List<CaptureInput> inputs() {
        assertTrue(Files.isDirectory(CASE) && Files.exists(POP3), "sample case 6 and the pop3 trace");
        return List.of(new CaptureInput("client", null, CASE.resolve("client.pcap")),
                new CaptureInput("server", null, CASE.resolve("server.pcap")), new CaptureInput("pop3-client", null, POP3));
    }

    /** How many records (and ticks) the sensors send for {@code inputs} in control mode. */
    private static long recordsSent(List<CaptureInput> inputs) {
        AtomicLong sent = new AtomicLong();
        List<CaptureMerge.NamedSource> sources = new ArrayList<>();
        inputs.forEach(input -> sources.add(new CaptureMerge.NamedSource(input.host(),
                new FileEventSource(input.file(), input.host(), null))));
        try {
            CaptureMerge.replay(sources, new RecordSink() {
                @Override
                public void publish(SpecificRecord record) {
                    sent.incrementAndGet();
                }

                @Override
                public void tick(String host, long tsMicros, boolean endOfInput) {
                    sent.incrementAndGet();
                }
            }, EmissionMode.CONTROL, count -> { });
        } finally {
            sources.forEach(source -> source.events().close());
        }
        assertTrue(sent.get() > 20, "enough records to stop half way: " + sent.get());
        return sent.get();
    }

    /** A `wirewatch processor` in a JVM of its own, so that it can be killed as a crash would. */
    private Process startProcessor(String applicationId, Path caseDir, Path stateDir) throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "dev.wirewatch.app.Main", "processor", "--bootstrap-servers",
                broker.bootstrapServers(), "--topology", caseDir.resolve("topology.yaml").toString(), "--application-id",
                applicationId, "--state-dir", stateDir.toString());
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(temp.resolve(applicationId + "-" + System.nanoTime() + ".log").toFile()).start();
    }

    private static KafkaConsumer<byte[], byte[]> consumer() {
        Map<String, Object> properties = new HashMap<>(client);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Every committed record of a topic from the given offsets on, read until its end. */
    private static List<ConsumerRecord<byte[], byte[]>> readFrom(String topic, Map<TopicPartition, Long> from) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            consumer.assign(partitions);
            partitions.forEach(partition -> consumer.seek(partition, from.getOrDefault(partition, 0L)));
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static Map<TopicPartition, Long> endOf(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            return consumer.endOffsets(consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList());
        }
    }

    /** Waits until every partition of the service stage has marked the end of the input as judged. */
    private static void awaitJudged(String applicationId, Process processor) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            assertTrue(processor.isAlive(), "the processor stopped");
            Set<String> done = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> record : readFrom(TopologyFactory.progressTopic(applicationId), Map.of())) {
                done.add(new String(record.key(), StandardCharsets.UTF_8));
            }
            if (done.size() >= 3) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the processor did not judge the input within 3 minutes");
    }

    /** Each alert as its id, severity and what explains it: what a clean run and a crashed one must agree on. */
    private static String said(Alert alert) {
        return alert.getId() + " " + alert.getType() + " " + alert.getSeverity() + " explained_by " + alert.getExplainedBy();
    }

    private static List<String> alertsSaid(List<ConsumerRecord<byte[], byte[]>> records) {
        var deserializer = AvroSerde.of(Alert.class).deserializer();
        return records.stream().map(record -> said(deserializer.deserialize(Topics.ALERTS, record.value()))).sorted()
                .toList();
    }

    /** Where the sensors stop until the first processor is killed: before their {@code published}-th record. */
    private interface PausePoint {
        boolean before(long published, boolean tick, long tsMicros);
    }

    @Test
    void aProcessorKilledMidStreamAndRestartedLosesAndRepeatsNoAlert() throws Exception {
        List<CaptureInput> inputs = inputs();
        long half = recordsSent(inputs) / 2;
        List<String> afterCrash = killedAndRestarted("kill-test", CASE, inputs, false,
                (published, tick, ts) -> published == half, () -> !readFrom(Topics.FLOWS, Map.of()).isEmpty());
        List<String> clean = new Analysis(client, EmissionMode.CONTROL, new PrintStream(System.out, true, StandardCharsets.UTF_8))
                .run(inputs, NetworkTopology.load(CASE.resolve("topology.yaml")), ProcessorConfig.DEFAULTS)
                .stream().map(ProcessorExactlyOnceTest::said).sorted().toList();
        assertTrue(clean.size() >= 6, "the input holds findings of several kinds: " + clean);
        assertTrue(clean.stream().anyMatch(alert -> alert.contains("HALF_OPEN_SESSION info explained_by")),
                "and one explained by another: " + clean);
        assertEquals(clean, afterCrash, "every alert once, as a clean run gives it");
    }

    /**
     * Seed case 4, stopped a second after the UNANSWERED_SYN of its first dropped connection has been found: the
     * service stage holds it for the PAWS detector (it is due 7 s after the last SYN) when the processor is killed.
     * The sensors tick every second through quiet spells, as live ones do.
     */
    @Test
    void aProcessorKilledWhileItHoldsAnUnansweredSynForPawsReportsItOnceAfterItsRestart() throws Exception {
        assertTrue(Files.isDirectory(PAWS_CASE), "sample case 4");
        List<CaptureInput> inputs = List.of(new CaptureInput("gateway", null, PAWS_CASE.resolve("gateway.pcap")),
                new CaptureInput("server", null, PAWS_CASE.resolve("server.pcap")));
        long due = lastSynOfTheFirstDrop(PAWS_CASE.resolve("server.pcap")) + 7_000_000;
        String applicationId = "kill-paws-test";
        var findings = AvroSerde.anyRecord().deserializer();
        List<String> afterCrash = killedAndRestarted(applicationId, PAWS_CASE, inputs, true,
                (published, tick, ts) -> tick && ts >= due,
                () -> readFrom(TopologyFactory.serviceStageTopic(applicationId), Map.of()).stream()
                        .anyMatch(record -> findings.deserialize(null, record.value()) instanceof FlowFinding));
        List<String> clean = new Analysis(client, EmissionMode.CONTROL, new PrintStream(System.out, true, StandardCharsets.UTF_8))
                .run(inputs, NetworkTopology.load(PAWS_CASE.resolve("topology.yaml")), ProcessorConfig.DEFAULTS)
                .stream().map(ProcessorExactlyOnceTest::said).sorted().toList();
        assertTrue(clean.stream().anyMatch(alert -> alert.contains("PAWS_SYN_DROP warning"))
                && clean.stream().anyMatch(alert -> alert.contains("UNANSWERED_SYN info explained_by")), clean.toString());
        assertEquals(clean, afterCrash, "every alert once, as a clean run gives it");
    }

    /** Capture time of the last SYN of the first connection to port 80 that the server left unanswered (tshark). */
    private static long lastSynOfTheFirstDrop(Path serverCapture) throws Exception {
        Process tshark = new ProcessBuilder("tshark", "-n", "-r", serverCapture.toString(), "-Y", "tcp.flags.syn==1 && "
                + "tcp.port==80", "-T", "fields", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.flags.ack", "-e",
                "frame.time_epoch").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String[]> rows = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(line -> !line.isBlank()).map(line -> line.split("\t")).toList();
        assertTrue(tshark.waitFor(60, TimeUnit.SECONDS));
        Set<String> answered = new HashSet<>();
        Map<String, Long> lastSyn = new java.util.LinkedHashMap<>();
        for (String[] row : rows) {
            boolean synAck = row[2].equals("1") || row[2].equalsIgnoreCase("true");
            if (synAck) {
                answered.add(row[1]);
            } else {
                lastSyn.put(row[0], new java.math.BigDecimal(row[3]).movePointRight(6).longValue());
            }
        }
        return lastSyn.entrySet().stream().filter(entry -> !answered.contains(entry.getKey())).findFirst()
                .orElseThrow(() -> new AssertionError("no unanswered connection in " + serverCapture)).getValue();
    }

    /**
     * Replays {@code inputs} into a processor that is killed once the sensors reach {@code pause} and {@code
     * readyToKill} holds, then started again on the same state directory; what it reported, once it judged all.
     * With {@code everySecond}, every host ticks each second of capture time, also where no packet came.
     */
    private List<String> killedAndRestarted(String applicationId, Path caseDir, List<CaptureInput> inputs,
                                            boolean everySecond, PausePoint pause,
                                            java.util.concurrent.Callable<Boolean> readyToKill) throws Exception {
        try (Admin admin = Admin.create(client)) {
            TopicSetup.ensure(admin, 3, ProcessorService.internalTopics(applicationId, 3));
            // Only this test's input: the other tests' records on ww.packets and ww.l2 are not this processor's business.
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> start = new HashMap<>();
            for (String topic : List.of(Topics.PACKETS, Topics.L2)) {
                endOf(topic).forEach((partition, end) ->
                        start.put(partition, new org.apache.kafka.clients.consumer.OffsetAndMetadata(end)));
            }
            admin.alterConsumerGroupOffsets(applicationId, start).all().get(30, TimeUnit.SECONDS);
        }
        Map<TopicPartition, Long> alertsBefore = endOf(Topics.ALERTS);
        Path stateDir = temp.resolve("state");

        // The sensors' records, held back at the pause point until the first processor has been killed.
        CountDownLatch halfway = new CountDownLatch(1);
        CountDownLatch killed = new CountDownLatch(1);
        AtomicLong published = new AtomicLong();
        Thread sensors = new Thread(() -> {
            List<CaptureMerge.NamedSource> sources = new ArrayList<>();
            try (RecordPublisher publisher = new RecordPublisher(client)) {
                inputs.forEach(input -> sources.add(new CaptureMerge.NamedSource(input.host(),
                        new FileEventSource(input.file(), input.host(), null))));
                RecordSink gated = new RecordSink() {
                    private final Set<String> hosts = new java.util.LinkedHashSet<>();
                    private long ticked = Long.MIN_VALUE;
                    private boolean paused;

                    @Override
                    public void publish(SpecificRecord record) {
                        pause(false, Long.MIN_VALUE);
                        publisher.publish(record);
                    }

                    @Override
                    public void tick(String host, long tsMicros, boolean endOfInput) {
                        for (long ts = ticked + 1_000_000; everySecond && !endOfInput && ticked != Long.MIN_VALUE
                                && ts < tsMicros; ts += 1_000_000) {
                            for (String each : hosts) {
                                pause(true, ts);
                                publisher.tick(each, ts, false);
                            }
                        }
                        hosts.add(host);
                        ticked = endOfInput ? ticked : Math.max(ticked, tsMicros);
                        pause(true, tsMicros);
                        publisher.tick(host, tsMicros, endOfInput);
                    }

                    private void pause(boolean tick, long tsMicros) {
                        if (!paused && pause.before(published.incrementAndGet(), tick, tsMicros)) {
                            paused = true;
                            publisher.flush();
                            halfway.countDown();
                            try {
                                killed.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    }
                };
                CaptureMerge.replay(sources, gated, EmissionMode.CONTROL, count -> { });
                publisher.flush();
            } finally {
                sources.forEach(source -> source.events().close());
            }
        }, "sensors");
        sensors.start();

        Process first = startProcessor(applicationId, caseDir, stateDir);
        assertTrue(halfway.await(60, TimeUnit.SECONDS));
        // Kill it once it has committed output of what came before the pause.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!readyToKill.call() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(readyToKill.call(), "the first processor got as far as the pause");
        assertTrue(first.isAlive(), "the first processor ran");
        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        killed.countDown();
        sensors.join(60_000);

        Process second = startProcessor(applicationId, caseDir, stateDir);
        try {
            awaitJudged(applicationId, second);
        } finally {
            second.destroy();
            second.waitFor(30, TimeUnit.SECONDS);
        }
        return alertsSaid(readFrom(Topics.ALERTS, alertsBefore));
    }

    @Test
    void recordsThatCannotBeDecodedGoToTheDeadLetterTopicAndTheRestIsProcessed() throws Exception {
        List<CaptureInput> inputs = List.of(new CaptureInput("pop3-client", null, inputs().get(2).file()));
        Map<TopicPartition, Long> deadBefore = endOf(Topics.DEADLETTER);
        // Garbage on ww.packets among the real input: the analysis consumes from the end it finds, so a sensor-like
        // producer writes it, every 100 ms, for as long as the analysis runs (however slow its start on a busy machine).
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(client, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            AtomicBoolean analysing = new AtomicBoolean(true);
            Thread garbage = new Thread(() -> {
                for (int i = 0; analysing.get(); i++) {
                    producer.send(new ProducerRecord<>(Topics.PACKETS, i % 3, new byte[] {1, 2, 3},
                            ("not an avro record " + i).getBytes(StandardCharsets.UTF_8)));
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                producer.flush();
            });
            garbage.start();
            List<Alert> alerts = new Analysis(client, EmissionMode.CONTROL, new PrintStream(System.out, true, StandardCharsets.UTF_8))
                    .run(inputs, NetworkTopology.EMPTY, ProcessorConfig.DEFAULTS);
            analysing.set(false);
            garbage.join();
            assertEquals(2, alerts.size(), "both pop3 servers' refusals despite the garbage: " + alerts);
        }
        List<ConsumerRecord<byte[], byte[]>> dead = readFrom(Topics.DEADLETTER, deadBefore);
        assertTrue(!dead.isEmpty(), "undecodable records reach " + Topics.DEADLETTER);
        assertTrue(new String(dead.get(0).value(), StandardCharsets.UTF_8).startsWith("not an avro record"),
                "the dead letter carries the original bytes");
    }
}
