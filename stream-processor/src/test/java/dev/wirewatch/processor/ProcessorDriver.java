package dev.wirewatch.processor;

import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.flow.FlowProcessor;
import dev.wirewatch.processor.flow.FlowState;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.ArpEvent;
import dev.wirewatch.record.VrrpAdvertisement;
import dev.wirewatch.record.FlowActivity;
import dev.wirewatch.record.FlowBatch;
import dev.wirewatch.record.FlowRecord;
import dev.wirewatch.record.KernelDrop;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.SensorStatus;
import dev.wirewatch.record.Tick;
import dev.wirewatch.schemas.AvroSerde;
import dev.wirewatch.schemas.Topics;
import dev.wirewatch.schemas.NatTable;
import dev.wirewatch.sensor.emit.RecordPublisher;
import dev.wirewatch.sensor.emit.RecordSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

/** The real topology under TopologyTestDriver, fed the way sensors feed it: packets keyed by flow, ticks. */
public final class ProcessorDriver implements AutoCloseable {
    private final TopologyTestDriver driver;
    private final TestInputTopic<byte[], SpecificRecord> packets;
    private final TestInputTopic<byte[], SpecificRecord> l2;
    private final TestInputTopic<byte[], SpecificRecord> sensors;
    private final TestInputTopic<byte[], SpecificRecord> serviceStage;
    private final TestOutputTopic<String, Alert> alerts;
    private final TestOutputTopic<byte[], FlowRecord> flows;
    private final NetworkTopology network;
    private final Path stateDir;
    /** The largest input timestamp so far: the stream time of every task, for timing when alerts come out. */
    private long inputMicros = Long.MIN_VALUE;

    public ProcessorDriver(NetworkTopology network, ProcessorConfig config) {
        this.network = network;
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        stateDir = stateDirectory();
        properties.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(TopologyFactory.build(network, config, "test", 1), properties);
        packets = driver.createInputTopic(Topics.PACKETS, Serdes.ByteArray().serializer(),
                AvroSerde.anyRecord().serializer());
        l2 = driver.createInputTopic(Topics.L2, Serdes.ByteArray().serializer(), AvroSerde.anyRecord().serializer());
        sensors = driver.createInputTopic(Topics.SENSORS, Serdes.ByteArray().serializer(),
                AvroSerde.anyRecord().serializer());
        serviceStage = driver.createInputTopic(TopologyFactory.serviceStageTopic("test"), Serdes.ByteArray().serializer(),
                AvroSerde.anyRecord().serializer());
        alerts = driver.createOutputTopic(Topics.ALERTS, Serdes.String().deserializer(),
                AvroSerde.of(Alert.class).deserializer());
        flows = driver.createOutputTopic(Topics.FLOWS, Serdes.ByteArray().deserializer(),
                AvroSerde.of(FlowRecord.class).deserializer());
    }

    /**
     * In memory (/dev/shm) where the machine has it. Each driver opens and closes the topology's RocksDB stores,
     * which writes and syncs their files, and TopologyTestDriver writes a checkpoint after every record; on a disk
     * shared with other builds, waiting for those syncs was most of these tests' time (FlowStateCodecTest: 110 s with
     * its state in /tmp, 30 s in memory). No test outlives its driver's state, so nothing here needs a disk.
     */
    private static Path stateDirectory() {
        Path memory = Path.of("/dev/shm");
        try {
            return Files.isDirectory(memory) && Files.isWritable(memory) ? Files.createTempDirectory(memory, "ww-driver")
                    : Files.createTempDirectory("ww-driver");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static NetworkTopology topology(String yaml) {
        return fromFile(yaml, NetworkTopology::load);
    }

    /** Detector settings from config.yaml text (the defaults for every key it leaves out). */
    public static ProcessorConfig config(String yaml) {
        return fromFile(yaml, ProcessorConfig::load);
    }

    /** What {@code load} reads from a file holding {@code yaml}. */
    private static <T> T fromFile(String yaml, Function<Path, T> load) {
        try {
            Path file = Files.createTempFile("wirewatch", ".yaml");
            try {
                Files.writeString(file, yaml);
                return load.apply(file);
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void send(ArpEvent arp) {
        sink().publish(arp);
    }

    /** A sensor's status, as its publisher sends it to ww.sensors. */
    public void send(SensorStatus status) {
        RecordPublisher.Outgoing outgoing = RecordPublisher.encode(status, network.nat());
        sensors.pipeInput(outgoing.key(), status, Instant.ofEpochMilli(outgoing.timestampMs()));
    }

    public void send(PacketEvent packet) {
        inputMicros = Math.max(inputMicros, packet.getTsMicros());
        packets.pipeInput(network.nat().key(packet).toBytes(), packet, Instant.ofEpochMilli(packet.getTsMicros() / 1000));
    }

    /** What a sensor's publisher, given the same topology, would do with its records, into this driver's ww.packets. */
    public RecordSink sink() {
        return sink(network.nat());
    }

    /** The same for sensors that key flows with {@code sensorsNat} (NatTable.NONE: started without --topology). */
    public RecordSink sink(NatTable sensorsNat) {
        return new RecordSink() {
            @Override
            public void publish(SpecificRecord record) {
                if (record instanceof PacketEvent || record instanceof FlowActivity || record instanceof FlowBatch
                        || record instanceof ArpEvent || record instanceof KernelDrop || record instanceof VrrpAdvertisement) {
                    RecordPublisher.Outgoing outgoing = RecordPublisher.encode(record, sensorsNat);
                    inputMicros = Math.max(inputMicros, outgoing.timestampMs() * 1000);
                    (outgoing.topic().equals(Topics.L2) ? l2 : packets).pipeInput(outgoing.key(), record,
                            Instant.ofEpochMilli(outgoing.timestampMs()));
                }
            }

            @Override
            public void tick(String host, long tsMicros, boolean endOfInput) {
                tickOnce(host, tsMicros, endOfInput);
            }
        };
    }

    /** Ticks from every named sensor once a second from {@code fromMicros} to {@code toMicros}. */
    public void tick(long fromMicros, long toMicros, String... hosts) {
        tickEvery(1_000_000, fromMicros, toMicros, hosts);
    }

    /** The same every {@code stepMicros}: hours of idle pass in fewer records (sensors tick every second). */
    public void tickEvery(long stepMicros, long fromMicros, long toMicros, String... hosts) {
        for (long ts = fromMicros; ts <= toMicros; ts += stepMicros) {
            for (String host : hosts) {
                tickOnce(host, ts, false);
            }
        }
    }

    public void endOfInput(long atMicros, String... hosts) {
        for (String host : hosts) {
            tickOnce(host, atMicros, true);
        }
    }

    private void tickOnce(String host, long ts, boolean end) {
        send(Tick.newBuilder().setHost(host).setTsMicros(ts).setEndOfInput(end).build());
    }

    /** One tick as a sensor sends it (e.g. naming interfaces it did not capture, or announcing its stop). */
    public void send(Tick tick) {
        inputMicros = Math.max(inputMicros, tick.getTsMicros());
        packets.pipeInput(tick.getHost().getBytes(StandardCharsets.UTF_8), tick,
                Instant.ofEpochMilli(tick.getTsMicros() / 1000));
    }

    /** A record written straight to the service stage's topic (as a misconfigured producer could). */
    public void sendToServiceStage(byte[] key, SpecificRecord record, long tsMicros) {
        serviceStage.pipeInput(key, record, Instant.ofEpochMilli(tsMicros / 1000));
    }

    /** The capture time the input has reached (the latest timestamp sent), MIN_VALUE before any. */
    public long inputMicros() {
        return inputMicros;
    }

    public List<Alert> alerts() {
        return alerts.readValuesToList();
    }

    /** The value of a metric the topology's processors registered, by name and group. */
    public double metric(String name, String group) {
        return driver.metrics().entrySet().stream()
                .filter(entry -> entry.getKey().name().equals(name) && entry.getKey().group().equals(group))
                .mapToDouble(entry -> ((Number) entry.getValue().metricValue()).doubleValue()).sum();
    }

    public List<FlowRecord> flows() {
        return flows.readValuesToList();
    }

    /** Bytes in the state directory's files (RocksDB's tables and logs), as written so far. */
    public long stateBytes() {
        try (Stream<Path> paths = Files.walk(stateDir)) {
            return paths.filter(Files::isRegularFile).mapToLong(path -> path.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The flow stage's store of open flows, as the processor holds them (live objects, not yet encoded). */
    public KeyValueStore<Bytes, FlowState> flowStore() {
        return driver.getKeyValueStore(FlowProcessor.FLOWS_STORE);
    }

    /** Any of the topology's key-value stores, by name. */
    public <K, V> KeyValueStore<K, V> store(String name) {
        return driver.getKeyValueStore(name);
    }

    @Override
    public void close() {
        driver.close();
        // The driver cleans its stores but leaves the directory; thousands of tests would leave thousands.
        try (Stream<Path> paths = Files.walk(stateDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
