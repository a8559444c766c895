package dev.wirewatch.sensor.emit;

import dev.wirewatch.record.ArpEvent;
import dev.wirewatch.record.FlowActivity;
import dev.wirewatch.record.FlowBatch;
import dev.wirewatch.record.KernelDrop;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.SensorStatus;
import dev.wirewatch.record.Tick;
import dev.wirewatch.record.VrrpAdvertisement;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.FlowKey;
import dev.wirewatch.schemas.NatTable;
import dev.wirewatch.schemas.RecordCodec;
import dev.wirewatch.schemas.SequenceHeaders;
import dev.wirewatch.schemas.Topics;
import dev.wirewatch.schemas.VrrpKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The sensor's side of Kafka: header events and flow summaries to ww.packets keyed by canonical flow key (so
 * every vantage's view of a flow meets in one partition), ARP to ww.l2 keyed by sender address, status to
 * ww.sensors, and Ticks to every partition of ww.packets. The record timestamp is the capture time, which is the
 * event time everywhere downstream. Sending blocks when the producer's buffer is full (replays want that: they
 * must lose nothing); a live sensor puts an {@link Outbox} in front. Every record carries its place in this run's
 * sequence for its partition ({@link SequenceHeaders}), so the processor counts it once however often Kafka has it.
 */
public final class RecordPublisher implements RecordSink, AutoCloseable {
    /** {@link Outgoing#partition()} of a Tick: every partition of ww.packets. */
    public static final int EVERY_PARTITION = -2;
    private static final int BY_KEY = -1;
    private static final RecordCodec CODEC = RecordCodec.shared();

    /** One record encoded for Kafka. */
    public record Outgoing(String topic, int partition, long timestampMs, byte[] key, byte[] value) {
        /** Bytes it holds, for buffer accounting. */
        public int size() {
            return key.length + value.length + 64;
        }
    }

    private final Producer<byte[], byte[]> producer;
    private final NatTable nat;
    private final String topicPrefix;
    private final PartitionSequences sequences;
    private final Map<String, Integer> partitions = new HashMap<>();
    private final AtomicLong emitted = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong inFlight = new AtomicLong();
    private final AtomicLong lastAckNanos = new AtomicLong(System.nanoTime());
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
    private final AtomicReference<RuntimeException> refusal = new AtomicReference<>();

    public RecordPublisher(Map<String, Object> clientConfig) {
        this(clientConfig, NatTable.NONE);
    }

    /** @param nat the topology's static translations, folded into every flow key (all sensors must agree) */
    public RecordPublisher(Map<String, Object> clientConfig, NatTable nat) {
        this(clientConfig, nat, "");
    }

    /**
     * @param topicPrefix put before every topic name: an analysis on a shared cluster writes to its own copies
     *                    ({@code PREFIXww.packets}, ...), never to the topics a live processor reads
     */
    public RecordPublisher(Map<String, Object> clientConfig, NatTable nat, String topicPrefix) {
        this(clientConfig, nat, topicPrefix, "wirewatch");
    }

    /** @param sender the sensor's name in its records' sequence headers */
    public RecordPublisher(Map<String, Object> clientConfig, NatTable nat, String topicPrefix, String sender) {
        this.sequences = new PartitionSequences(sender);
        this.nat = nat;
        this.topicPrefix = topicPrefix;
        Properties properties = new Properties();
        properties.putAll(clientConfig);
        properties.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        properties.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        properties.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        properties.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 20);
        properties.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
        this.producer = new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Encodes a record as this publisher sends it. */
    public Outgoing encode(SpecificRecord record) {
        return encode(record, nat);
    }

    /**
     * Encodes a PacketEvent, FlowActivity, FlowBatch, KernelDrop, ArpEvent, VrrpAdvertisement, SensorStatus or Tick with
     * its topic, key and time; flow keys name translated endpoints by their public side ({@code nat}).
     */
    public static Outgoing encode(SpecificRecord record, NatTable nat) {
        if (record instanceof PacketEvent packet) {
            return new Outgoing(Topics.PACKETS, BY_KEY, packet.getTsMicros() / 1000, nat.key(packet).toBytes(),
                    CODEC.encode(packet));
        } else if (record instanceof FlowActivity activity) {
            return new Outgoing(Topics.PACKETS, BY_KEY, activity.getTsMicros() / 1000,
                    nat.key(activity).toBytes(), CODEC.encode(activity));
        } else if (record instanceof FlowBatch batch) {
            return new Outgoing(Topics.PACKETS, BY_KEY, batch.getTsMicros() / 1000, nat.key(batch).toBytes(),
                    CODEC.encode(batch));
        } else if (record instanceof KernelDrop drop) {
            return new Outgoing(Topics.PACKETS, BY_KEY, drop.getTsMicros() / 1000, nat.key(drop).toBytes(),
                    CODEC.encode(drop));
        } else if (record instanceof ArpEvent arp) {
            return new Outgoing(Topics.L2, BY_KEY, arp.getTsMicros() / 1000, boundAddress(arp), CODEC.encode(arp));
        } else if (record instanceof VrrpAdvertisement advertisement) {
            return new Outgoing(Topics.L2, BY_KEY, advertisement.getTsMicros() / 1000,
                    Addresses.bytes(VrrpKeys.firstAddress(advertisement)), CODEC.encode(advertisement));
        } else if (record instanceof SensorStatus status) {
            return new Outgoing(Topics.SENSORS, BY_KEY, status.getTsMicros() / 1000,
                    status.getSensorId().getBytes(StandardCharsets.UTF_8), CODEC.encode(status));
        } else if (record instanceof Tick tick) {
            return new Outgoing(Topics.PACKETS, EVERY_PARTITION, tick.getTsMicros() / 1000,
                    tick.getHost().getBytes(StandardCharsets.UTF_8), CODEC.encode(tick));
        }
        throw new IllegalArgumentException("a sensor does not publish " + record.getSchema().getName());
    }

    public static Outgoing tickRecord(String host, long tsMicros, boolean endOfInput) {
        return encode(Tick.newBuilder().setHost(host).setTsMicros(tsMicros).setEndOfInput(endOfInput).build(),
                NatTable.NONE);
    }

    @Override
    public void publish(SpecificRecord record) {
        send(encode(record));
    }

    /** The sensor's inventory and counters, to the compacted ww.sensors keyed by sensor id. */
    public void status(SensorStatus status) {
        send(encode(status));
    }

    @Override
    public void tick(String host, long tsMicros, boolean endOfInput) {
        send(tickRecord(host, tsMicros, endOfInput));
    }

    @Override
    public void tick(Tick tick) {
        send(encode(tick, NatTable.NONE));
    }

    /**
     * Hands a record to the producer. Blocks while the producer's buffer is full or the topic's metadata is
     * unknown, up to {@code max.block.ms}, then throws Kafka's {@link TimeoutException} (nothing of the record was sent,
     * except, for a Tick, to some partitions: sending it again is harmless).
     */
    public synchronized void send(Outgoing record) {
        String topic = topicPrefix + record.topic();
        if (record.partition() == EVERY_PARTITION) {
            for (int partition = 0; partition < partitions(topic); partition++) {
                sendNumbered(topic, partition, record);
            }
        } else {
            sendNumbered(topic, PartitionSequences.partitionOf(record.key(), partitions(topic)), record);
        }
    }

    /** Asked when first needed, not at start: a sensor starts while Kafka may be unreachable. */
    private int partitions(String topic) {
        Integer known = partitions.get(topic);
        if (known == null) {
            known = producer.partitionsFor(topic).size();
            partitions.put(topic, known);
        }
        return known;
    }

    /** A number is used up only once the producer has the record: one it rejected leaves no gap. */
    private void sendNumbered(String topic, int partition, Outgoing record) {
        TopicPartition destination = new TopicPartition(topic, partition);
        SequenceHeaders number = sequences.next(destination);
        ProducerRecord<byte[], byte[]> numbered = new ProducerRecord<>(topic, partition, record.timestampMs(),
                record.key(), record.value());
        number.stamp(numbered.headers());
        sendTo(numbered);
        sequences.sent(destination, number);
    }

    /**
     * Kafka's producer reports a send it could not even start (no metadata, or its buffer full for max.block.ms)
     * through the callback, from the calling thread, before send returns; that is turned back into an exception
     * here, so the caller can keep the record and retry instead of losing it.
     */
    private void sendTo(ProducerRecord<byte[], byte[]> record) {
        Attempt attempt = new Attempt();
        inFlight.incrementAndGet();
        try {
            producer.send(record, (metadata, error) -> {
                inFlight.decrementAndGet();
                if (error instanceof TimeoutException timeout && attempt.synchronous) {
                    attempt.rejected = timeout;
                } else if (error == null) {
                    emitted.incrementAndGet();
                    lastAckNanos.set(System.nanoTime());
                } else {
                    failed.incrementAndGet();
                    firstFailure.compareAndSet(null, error);
                    if (refusesTheClient(error)) {
                        refusal.compareAndSet(null, (RuntimeException) error);
                    }
                }
            });
        } catch (RuntimeException e) {
            inFlight.decrementAndGet();
            throw e;
        }
        attempt.synchronous = false;
        if (attempt.rejected != null) {
            throw attempt.rejected;
        }
    }

    /**
     * Kafka refuses this client for good: its login failed or it may not write (SASL, SSL, ACLs). Retrying cannot
     * help; the configuration must change.
     */
    public static boolean refusesTheClient(Throwable error) {
        return error instanceof AuthenticationException || error instanceof AuthorizationException;
    }

    /** Kafka's refusal of this client (see {@link #refusesTheClient}), once a send or a callback met one. */
    public Optional<RuntimeException> refusal() {
        return Optional.ofNullable(refusal.get());
    }

    private static final class Attempt {
        volatile boolean synchronous = true;
        volatile TimeoutException rejected;
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

    /** Records Kafka acknowledged. */
    public long emitted() {
        return emitted.get();
    }

    /** Records Kafka could not take (after the producer's own retries and delivery timeout). */
    public long failed() {
        return failed.get();
    }

    /** Why the first record Kafka could not take failed. */
    public Optional<String> firstFailure() {
        return Optional.ofNullable(firstFailure.get()).map(Exception::toString);
    }

    /** Records handed to the producer and not yet acknowledged or failed. */
    public long inFlight() {
        return inFlight.get();
    }

    /** How long ago Kafka last acknowledged a record (since start if never). */
    public Duration sinceLastAck() {
        return Duration.ofNanos(System.nanoTime() - lastAckNanos.get());
    }

    /** The producer's own metrics (request latency, batch sizes, record error rate, ...) on {@code registry}. */
    public void bindMetrics(MeterRegistry registry) {
        new KafkaClientMetrics(producer).bindTo(registry);
    }

    @Override
    public void close() {
        producer.close();
    }

    /** Closes without waiting longer than {@code timeout} for unsent records (they are lost). */
    public void close(Duration timeout) {
        producer.close(timeout);
    }

    /** ww.l2's key: the sender, or what a duplicate address detection probe (an NS from ::) asks about. */
    private static byte[] boundAddress(ArpEvent arp) {
        byte[] sender = Addresses.bytes(arp.getSenderIp());
        boolean probe = arp.getOperation() == FlowKey.NEIGHBOR_SOLICITATION && Arrays.equals(sender, new byte[16]);
        return probe ? Addresses.bytes(arp.getTargetIp()) : sender;
    }
}
