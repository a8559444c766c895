package dev.wirewatch.sensor.emit;

import dev.wirewatch.record.ArpEvent;
import dev.wirewatch.record.FlowActivity;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.SensorStatus;
import dev.wirewatch.record.Tick;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.FlowKey;
import dev.wirewatch.schemas.RecordCodec;
import dev.wirewatch.schemas.Topics;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The sensor's side of Kafka: header events to ww.packets keyed by canonical flow key (so every vantage's view
 * of a flow meets in one partition), ARP to ww.l2 keyed by sender address, and Ticks to every partition of
 * ww.packets. The record timestamp is the capture time, which is the event time everywhere downstream.
 */
public final class RecordPublisher implements RecordSink, AutoCloseable {
    private final Producer<byte[], byte[]> producer;
    private final RecordCodec codec = RecordCodec.shared();
    private final int packetPartitions;
    private final AtomicLong emitted = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();

    public RecordPublisher(Map<String, Object> clientConfig) {
        Properties properties = new Properties();
        properties.putAll(clientConfig);
        properties.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        properties.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        properties.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        properties.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 20);
        properties.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
        this.producer = new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
        this.packetPartitions = producer.partitionsFor(Topics.PACKETS).size();
    }

    @Override
    public void publish(SpecificRecord record) {
        if (record instanceof PacketEvent packet) {
            send(new ProducerRecord<>(Topics.PACKETS, null, packet.getTsMicros() / 1000,
                    FlowKey.of(packet).toBytes(), codec.encode(packet)));
        } else if (record instanceof FlowActivity activity) {
            send(new ProducerRecord<>(Topics.PACKETS, null, activity.getTsMicros() / 1000,
                    FlowKey.of(activity).toBytes(), codec.encode(activity)));
        } else if (record instanceof ArpEvent arp) {
            send(new ProducerRecord<>(Topics.L2, null, arp.getTsMicros() / 1000,
                    Addresses.bytes(arp.getSenderIp()), codec.encode(arp)));
        } else {
            throw new IllegalArgumentException("a sensor publishes packets, flow activity and ARP, not " + record.getSchema().getName());
        }
    }

    /** The sensor's inventory and counters, to the compacted ww.sensors keyed by sensor id. */
    public void status(SensorStatus status) {
        send(new ProducerRecord<>(Topics.SENSORS, null, status.getTsMicros() / 1000,
                status.getSensorId().getBytes(java.nio.charset.StandardCharsets.UTF_8), codec.encode(status)));
    }

    @Override
    public void tick(String host, long tsMicros, boolean endOfInput) {
        byte[] value = codec.encode(Tick.newBuilder().setHost(host).setTsMicros(tsMicros).setEndOfInput(endOfInput).build());
        byte[] key = host.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int partition = 0; partition < packetPartitions; partition++) {
            send(new ProducerRecord<>(Topics.PACKETS, partition, tsMicros / 1000, key, value));
        }
    }

    private void send(ProducerRecord<byte[], byte[]> record) {
        producer.send(record, (metadata, error) -> {
            if (error == null) {
                emitted.incrementAndGet();
            } else {
                failed.incrementAndGet();
                firstFailure.compareAndSet(null, error);
            }
        });
    }

    /** Waits until everything sent so far is acknowledged; fails if anything was lost. */
    public void flush() {
        producer.flush();
        Exception failure = firstFailure.get();
        if (failure != null) {
            throw new IllegalStateException(failed.get() + " records could not be delivered to Kafka: "
                    + failure.getMessage(), failure);
        }
    }

    public long emitted() {
        return emitted.get();
    }

    @Override
    public void close() {
        producer.close();
    }
}
