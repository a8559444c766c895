package dev.wirewatch.app.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.bench.MixCaptureGenerator;
import dev.wirewatch.app.bench.MixTopology;
import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.app.kafka.TopicReads;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.processor.ProcessorService;
import dev.wirewatch.processor.StreamTopics;
import dev.wirewatch.processor.TopologyFactory;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.metrics.ProcessorMetrics;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.FlowRecord;
import dev.wirewatch.record.VantageView;
import dev.wirewatch.schemas.AvroSerde;
import dev.wirewatch.schemas.NatTable;
import dev.wirewatch.schemas.SequenceHeaders;
import dev.wirewatch.schemas.Topics;
import dev.wirewatch.sensor.CaptureMerge;
import dev.wirewatch.sensor.FileEventSource;
import dev.wirewatch.sensor.emit.EmissionMode;
import dev.wirewatch.sensor.emit.RecordPublisher;
import dev.wirewatch.sensor.emit.RecordSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A record a sensor sends is counted once by the processor. The sensors' records of the two-sided mix are staged as
 * a RecordPublisher numbers them, then copied into the processor's input partition for partition, as Kafka would
 * hold them after an idempotent producer's epoch bump (the same records appended again, after later ones of other
 * partitions), or with records missing; the processor's packet counts per flow on ww.flows are compared with tshark's
 * reading of the captures the sensors read.
 */
class SensorRecordsCountedOnceTest {
    private static final int PARTITIONS = 3;
    private static final int RESENT_PER_PARTITION = 40;
    private static EmbeddedBroker broker;
    private static Map<String, Object> client;
    private static Map<String, Path> captures;
    private static Path topology;

    @TempDir
    static Path shared;
    @TempDir
    Path state;

    @BeforeAll
    static void startBrokerAndWriteTheMix() throws Exception {
        broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, PARTITIONS));
        client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        captures = Map.of("client", shared.resolve("client.pcap"), "server", shared.resolve("server.pcap"));
        MixCaptureGenerator.write(captures.get("client"), captures.get("server"),
                MixCaptureGenerator.Options.defaults(6_000, 21).withRate(2_000));
        topology = shared.resolve("topology.yaml");
        MixTopology.write(topology);
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void recordsDeliveredTwiceAfterAnEpochBumpAreCountedOnce() throws Exception {
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> staged = stage("stage-dup.", Long.MAX_VALUE);
        long resent = copy(staged, "in-dup.", (index, partition) -> index == staged.get(partition).size() / 2,
                Set.of());
        Outcome outcome = process("in-dup.");
        assertSameCounts(packetsPerFlowByTshark(), outcome.packetsPerFlow());
        assertEquals(resent, outcome.duplicates(), "every record delivered twice is counted as a duplicate");
        assertEquals(0, outcome.lost());
    }

    @Test
    void aRestartedSensorStartsANewSequenceThatIsNoDuplicate() throws Exception {
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> staged = stage("stage-restart.", 500);
        Set<String> runs = staged.values().stream().flatMap(List::stream)
                .map(record -> SequenceHeaders.of(record.headers()).orElseThrow().run()).collect(Collectors.toSet());
        assertEquals(2, runs.size(), "the sensor's two runs number their records apart");
        copy(staged, "in-restart.", (index, partition) -> false, Set.of());
        Outcome outcome = process("in-restart.");
        assertSameCounts(packetsPerFlowByTshark(), outcome.packetsPerFlow());
        assertEquals(0, outcome.duplicates());
        assertEquals(0, outcome.lost());
    }

    @Test
    void recordsThatNeverReachedKafkaAreCountedAsLost() throws Exception {
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> staged = stage("stage-gap.", Long.MAX_VALUE);
        Set<Long> omitted = Set.of(100L, 101L, 102L, 250L);
        copy(staged, "in-gap.", (index, partition) -> false, omitted);
        long missing = staged.values().stream().mapToLong(records -> omitted.stream()
                .filter(number -> number < records.size()).count()).sum();
        Outcome outcome = process("in-gap.");
        assertEquals(0, outcome.duplicates());
        assertTrue(missing >= 4 * PARTITIONS, "each ww.packets partition misses four: " + missing);
        assertEquals(missing, outcome.lost(), "the numbers left out of each partition, before its last");
    }

    /**
     * Replays both captures through RecordPublishers into topics behind {@code prefix}; after {@code restartAfter}
     * records the publisher is closed and a new one (a restarted sensor) sends the rest. Returns what Kafka holds.
     */
    private static Map<Integer, List<ConsumerRecord<byte[], byte[]>>> stage(String prefix, long restartAfter)
            throws Exception {
        try (Admin admin = Admin.create(client)) {
            TopicSetup.ensure(admin, prefix, PARTITIONS, Map.of());
        }
        AtomicReference<RecordPublisher> publisher = new AtomicReference<>(publisher(prefix));
        RecordSink restarting = new RecordSink() {
            private long published;

            @Override
            public void publish(SpecificRecord record) {
                if (published++ == restartAfter) {
                    publisher.get().flush();
                    publisher.getAndSet(publisher(prefix)).close();
                }
                publisher.get().publish(record);
            }

            @Override
            public void tick(String host, long tsMicros, boolean endOfInput) {
                publisher.get().tick(host, tsMicros, endOfInput);
            }
        };
        List<CaptureMerge.NamedSource> sources = new ArrayList<>();
        captures.forEach((host, file) -> sources.add(new CaptureMerge.NamedSource(host, new FileEventSource(file, host, null))));
        try {
            CaptureMerge.replay(sources, restarting, EmissionMode.CONTROL, count -> { });
            publisher.get().flush();
        } finally {
            publisher.get().close();
            sources.forEach(source -> source.events().close());
        }
        Map<Integer, List<ConsumerRecord<byte[], byte[]>>> byPartition = new TreeMap<>();
        for (String topic : List.of(Topics.PACKETS, Topics.L2)) {
            for (ConsumerRecord<byte[], byte[]> record : read(prefix + topic)) {
                byPartition.computeIfAbsent(topic.equals(Topics.PACKETS) ? record.partition() : PARTITIONS + record.partition(),
                        any -> new ArrayList<>()).add(record);
            }
        }
        return byPartition;
    }

    private static RecordPublisher publisher(String prefix) {
        return new RecordPublisher(client, NatTable.NONE, prefix, "mix-sensor");
    }

    /**
     * Copies the staged records into the topics behind {@code prefix}, taking one of each partition in turn. Where
     * {@code resendAfter} says so, the last {@link #RESENT_PER_PARTITION} records of that partition are appended again,
     * headers and all, as an idempotent producer re-sends the batches whose outcome it did not learn; records numbered
     * {@code omitted} are left out. Returns how many records were appended twice.
     */
    private static long copy(Map<Integer, List<ConsumerRecord<byte[], byte[]>>> staged, String prefix,
                             ResendPoint resendAfter, Set<Long> omitted) throws Exception {
        try (Admin admin = Admin.create(client)) {
            TopicSetup.ensure(admin, prefix, PARTITIONS, Map.of());
        }
        long resent = 0;
        int longest = staged.values().stream().mapToInt(List::size).max().orElse(0);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(client, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            BiConsumer<String, ConsumerRecord<byte[], byte[]>> append = (topic, record) -> producer.send(new ProducerRecord<>(
                    topic, record.partition(), record.timestamp(), record.key(), record.value(), record.headers()));
            for (int index = 0; index < longest; index++) {
                for (Map.Entry<Integer, List<ConsumerRecord<byte[], byte[]>>> partition : staged.entrySet()) {
                    List<ConsumerRecord<byte[], byte[]>> records = partition.getValue();
                    if (index >= records.size()) {
                        continue;
                    }
                    String topic = prefix + (partition.getKey() < PARTITIONS ? Topics.PACKETS : Topics.L2);
                    ConsumerRecord<byte[], byte[]> record = records.get(index);
                    if (!omitted.contains(SequenceHeaders.of(record.headers()).orElseThrow().number())) {
                        append.accept(topic, record);
                    }
                    if (resendAfter.after(index, partition.getKey())) {
                        producer.flush();
                        for (ConsumerRecord<byte[], byte[]> again : records.subList(
                                Math.max(0, index + 1 - RESENT_PER_PARTITION), index + 1)) {
                            append.accept(topic, again);
                            resent++;
                        }
                    }
                }
            }
            producer.flush();
        }
        return resent;
    }

    private interface ResendPoint {
        boolean after(int index, int partition);
    }

    /** What the processor reported: packets per flow and vantage on ww.flows, and its input metrics. */
    private record Outcome(Map<String, Long> packetsPerFlow, double duplicates, double lost) {}

    /** Runs a processor on the topics behind {@code prefix} until it has judged their end. */
    private Outcome process(String prefix) throws Exception {
        String applicationId = prefix + "app";
        try (Admin admin = Admin.create(client)) {
            TopicSetup.ensure(admin, prefix, PARTITIONS, ProcessorService.internalTopics(applicationId, PARTITIONS));
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        StreamTopics topics = StreamTopics.withPrefix(prefix);
        try (KafkaStreams processor = ProcessorService.create(client, applicationId, state, NetworkTopology.load(topology),
                ProcessorConfig.DEFAULTS, PARTITIONS, topics, new ProcessorMetrics(registry))) {
            processor.start();
            awaitJudged(applicationId);
            processor.close(Duration.ofSeconds(30));
        }
        Map<String, Long> packets = new TreeMap<>();
        var flows = AvroSerde.of(FlowRecord.class).deserializer();
        for (ConsumerRecord<byte[], byte[]> record : read(topics.flows())) {
            FlowRecord flow = flows.deserialize(topics.flows(), record.value());
            if (flow.getProtocol() != 6 && flow.getProtocol() != 17) {
                continue;
            }
            for (VantageView view : flow.getVantages()) {
                packets.merge(view.getHost() + " " + flowKey(flow.getProtocol() == 6 ? "tcp" : "udp", flow.getClient(),
                        flow.getClientPort(), flow.getServer(), flow.getServerPort()),
                        view.getOrigPackets() + view.getRespPackets(), Long::sum);
            }
        }
        return new Outcome(packets, sum(registry, "wirewatch.input.duplicates"), sum(registry, "wirewatch.input.lost"));
    }

    private static double sum(SimpleMeterRegistry registry, String name) {
        return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    /** tshark's count of TCP and UDP packets per flow (either direction) in each sensor's capture. */
    private static Map<String, Long> packetsPerFlowByTshark() throws Exception {
        Map<String, Long> packets = new TreeMap<>();
        for (Map.Entry<String, Path> capture : captures.entrySet()) {
            List<String> command = List.of("tshark", "-n", "-r", capture.getValue().toString(), "-Y",
                    "(tcp or udp) and not icmp and not icmpv6", "-T", "fields", "-E", "separator=;", "-e", "ip.src",
                    "-e", "ipv6.src", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.srcport", "-e", "udp.srcport",
                    "-e", "tcp.dstport", "-e", "udp.dstport");
            Process tshark = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            for (String line : new String(tshark.getInputStream().readAllBytes()).lines().toList()) {
                String[] f = line.split(";", -1);
                boolean tcp = !f[4].isEmpty();
                packets.merge(capture.getKey() + " " + flowKey(tcp ? "tcp" : "udp", f[0] + f[1],
                        Integer.parseInt(tcp ? f[4] : f[5]), f[2] + f[3], Integer.parseInt(tcp ? f[6] : f[7])), 1L, Long::sum);
            }
            assertEquals(0, tshark.waitFor(), "tshark read " + capture.getValue());
        }
        assertTrue(packets.size() > 100, "the mix has many flows: " + packets.size());
        return packets;
    }

    /** Per flow and vantage, the processor's packet count is tshark's; the message lists the first that differ. */
    private static void assertSameCounts(Map<String, Long> tshark, Map<String, Long> processor) {
        Set<String> flows = new TreeSet<>(tshark.keySet());
        flows.addAll(processor.keySet());
        List<String> differing = flows.stream().filter(flow -> !Objects.equals(tshark.get(flow), processor.get(flow)))
                .map(flow -> flow + ": tshark " + tshark.get(flow) + ", processor " + processor.get(flow)).toList();
        assertTrue(differing.isEmpty(), differing.size() + " of " + flows.size() + " flows counted differently, e.g. "
                + differing.subList(0, Math.min(5, differing.size())));
    }

    /** A flow named the same whichever side is first and however an address is spelled. */
    private static String flowKey(String protocol, String a, int aPort, String b, int bPort) throws Exception {
        String first = InetAddress.getByName(a).getHostAddress() + "#" + aPort;
        String second = InetAddress.getByName(b).getHostAddress() + "#" + bPort;
        return protocol + " " + (first.compareTo(second) < 0 ? first + " " + second : second + " " + first);
    }

    /** Every record of {@code topic} now, partition by partition in offset order. */
    private static List<ConsumerRecord<byte[], byte[]>> read(String topic) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReads.consumer(client)) {
            Map<TopicPartition, Long> from = new HashMap<>();
            TopicReads.partitions(consumer, topic).forEach(partition -> from.put(partition, 0L));
            TopicReads.readToEnd(consumer, from, records::add);
        }
        records.sort(Comparator.comparingInt((ConsumerRecord<byte[], byte[]> record) -> record.partition())
                .thenComparingLong(ConsumerRecord::offset));
        return records;
    }

    /** Waits until the service stage has marked the end of the input as judged in every partition. */
    private static void awaitJudged(String applicationId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            Set<String> done = new HashSet<>();
            read(TopologyFactory.progressTopic(applicationId)).forEach(record -> done.add(new String(record.key())));
            if (done.size() >= PARTITIONS) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the processor did not judge the input within 3 minutes");
    }
}
