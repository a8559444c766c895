package dev.wirewatch.app.sensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.TcpHeader;
import dev.wirewatch.schemas.AvroSerde;
import dev.wirewatch.schemas.Topics;
import dev.wirewatch.sensor.emit.Outbox;
import dev.wirewatch.sensor.emit.RecordPublisher;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live sensor's path to Kafka across a real broker outage: the embedded broker is stopped while records keep
 * coming and restarted on the same port and data. Every record must arrive or be counted as dropped, the dropped
 * ones must be the oldest, and the outbox must say it is degraded while Kafka is away.
 */
class OutboxSurvivesBrokerOutageTest {
    @TempDir
    Path data;

    @Test
    void recordsSurviveARestartOrAreCountedDroppedOldestFirst() throws Exception {
        int port = freePort();
        EmbeddedBroker broker = EmbeddedBroker.start(BrokerOptions.local(data, port, 3));
        Outbox outbox = null;
        try {
            try (Admin admin = Admin.create(client(broker))) {
                TopicSetup.ensure(admin, 3, Map.of());
            }
            Map<String, Object> producer = new HashMap<>(client(broker));
            producer.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000);
            producer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 500);
            // A small producer buffer (and batches that fit in it), so the outbox fills during the outage.
            producer.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 256 * 1024);
            producer.put(ProducerConfig.BATCH_SIZE_CONFIG, 16 * 1024);
            producer.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
            RecordPublisher publisher = new RecordPublisher(producer);
            long queueBytes = 100 * 1024;
            outbox = new Outbox(publisher, queueBytes);

            int sequence = 0;
            for (; sequence < 1_000; sequence++) { // at a pace the small queue holds while Kafka is up
                outbox.publish(packet(sequence));
                if (sequence % 100 == 99) {
                    awaitQueueEmpty(outbox);
                }
            }
            awaitQueueEmpty(outbox);
            // Acknowledged before the broker stops: what is in flight at the very moment a broker stops may come back
            // twice or, after an epoch bump of the idempotent producer, not at all (seen in CI; issue 3 note).
            awaitAcknowledged(publisher);

            assertEquals(0, outbox.dropped(), "nothing is dropped while Kafka keeps up");
            broker.close();
            boolean sawDegraded = false;
            for (; sequence < 6_000; sequence++) {
                outbox.publish(packet(sequence));
                if (sequence % 500 == 0) {
                    Thread.sleep(500);
                    sawDegraded |= outbox.degraded().isPresent();
                }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (!sawDegraded && System.nanoTime() < deadline) {
                Thread.sleep(200);
                sawDegraded = outbox.degraded().isPresent();
            }
            assertTrue(sawDegraded, "degraded while the broker is down");
            assertTrue(outbox.dropped() > 0, "a 100 KiB queue cannot hold 5,000 records: some are dropped");

            broker = EmbeddedBroker.start(BrokerOptions.local(data, port, 3));
            for (; sequence < 7_000; sequence++) {
                outbox.publish(packet(sequence));
            }
            awaitQueueEmpty(outbox);
            Optional<String> stillDegraded = outbox.degraded();
            outbox.close(Duration.ofSeconds(60));
            long dropped = outbox.dropped();
            outbox = null;

            TreeSet<Integer> delivered = new TreeSet<>();
            List<Integer> all = new ArrayList<>();
            for (PacketEvent packet : consumeAll(broker, sequence - dropped)) {
                all.add(packet.getSrcPort() * 10_000 + packet.getDstPort());
                delivered.add(packet.getSrcPort() * 10_000 + packet.getDstPort());
            }
            // Kafka's idempotent producer deduplicates retries within one broker session; across a broker restart a
            // CI run once saw 128 records twice (at least once, not exactly once): reported, not failed, until
            // the cause is known (issue 3 note).
            if (all.size() != delivered.size()) {
                System.out.printf("duplicates across the broker restart: %d%n", all.size() - delivered.size());
            }
            assertEquals(sequence, delivered.size() + dropped, "every record arrived or was counted as dropped");
            // Oldest first: what is missing is one run inside the outage, everything after it arrived.
            List<Integer> missing = new ArrayList<>();
            for (int i = 0; i < sequence; i++) {
                if (!delivered.contains(i)) {
                    missing.add(i);
                }
            }
            assertEquals(dropped, missing.size());
            System.out.printf("published %d, delivered %d (%d with duplicates), dropped %d, failed %d, missing %s...%s%n",
                    sequence, delivered.size(), all.size(), dropped, publisher.failed(),
                    missing.subList(0, Math.min(5, missing.size())), missing.subList(Math.max(0, missing.size() - 3), missing.size()));
            assertTrue(missing.get(0) >= 1_000, "nothing sent before the outage is lost: " + missing.get(0));
            // One run, except the record the sender held in hand while Kafka was away: it is sent, not dropped.
            long deliveredInsideRun = delivered.subSet(missing.get(0), missing.get(missing.size() - 1)).size();
            assertTrue(deliveredInsideRun <= 1, deliveredInsideRun + " records arrived from inside the dropped run");
            assertTrue(delivered.contains(sequence - 1), "the newest survive");
            assertTrue(stillDegraded.isEmpty() || stillDegraded.get().contains("dropped"),
                    "Kafka acknowledges again after the restart: " + stillDegraded);
        } finally {
            if (outbox != null) {
                outbox.close(Duration.ofSeconds(5));
            }
            broker.close();
        }
    }

    @Test
    void aSensorStartsWhileKafkaIsAwayAndDeliversOnceItComes(@TempDir Path later) throws Exception {
        int port = freePort();
        try (EmbeddedBroker before = EmbeddedBroker.start(BrokerOptions.local(later, port, 3));
             Admin admin = Admin.create(client(before))) {
            TopicSetup.ensure(admin, 3, Map.of()); // the cluster exists; it is only down when the sensor starts
        }
        Map<String, Object> producer = new HashMap<>(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                "127.0.0.1:" + port, ProducerConfig.MAX_BLOCK_MS_CONFIG, 500,
                ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500));
        Outbox outbox = new Outbox(new RecordPublisher(producer), 1 << 20);
        EmbeddedBroker broker = null;
        try {
            for (int i = 0; i < 100; i++) {
                outbox.publish(packet(i));
            }
            outbox.tick("h", 1_000_000, false);
            Thread.sleep(2_000);
            assertEquals(0, outbox.dropped());
            broker = EmbeddedBroker.start(BrokerOptions.local(later, port, 3));
            awaitQueueEmpty(outbox);
            outbox.close(Duration.ofSeconds(60));
            List<PacketEvent> packets = consumeAll(broker, 100);
            assertEquals(100, packets.size());
        } finally {
            outbox.close(Duration.ofSeconds(1));
            if (broker != null) {
                broker.close();
            }
        }
    }

    /** A SYN whose ports carry the sequence number (src = n / 10,000, dst = n % 10,000), spread over many flows. */
    private static PacketEvent packet(int sequence) {
        return PacketEvent.newBuilder().setHost("h").setIface("eth0").setTsMicros(1_700_000_000_000_000L + sequence)
                .setIpVersion(4).setSrc(ByteBuffer.wrap(new byte[] {10, 0, 0, 1}))
                .setDst(ByteBuffer.wrap(new byte[] {10, 0, 0, 2})).setProtocol(6)
                .setSrcPort(sequence / 10_000).setDstPort(sequence % 10_000).setTtl(64).setIpLength(60)
                .setTcp(TcpHeader.newBuilder().setFlags(0x02).setSeq(sequence).setAck(0).setWindow(1000)
                        .setPayloadLength(0).build())
                .build();
    }

    private static void awaitQueueEmpty(Outbox outbox) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (outbox.queuedRecords() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(0, outbox.queuedRecords(), "the outbox drains once Kafka is reachable");
    }

    private static void awaitAcknowledged(RecordPublisher publisher) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (publisher.inFlight() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(0, publisher.inFlight(), "Kafka acknowledges what was sent while it was up");
    }

    private static List<PacketEvent> consumeAll(EmbeddedBroker broker, long expected) {
        Map<String, Object> config = new HashMap<>(client(broker));
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "outage-test-" + System.nanoTime());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        var deserializer = AvroSerde.anyRecord().deserializer();
        List<PacketEvent> packets = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.PACKETS));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long quietUntil = 0;
            Set<Integer> distinct = new HashSet<>();
            while (System.nanoTime() < deadline && (distinct.size() < expected || System.nanoTime() < quietUntil)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(300))) {
                    if (deserializer.deserialize(record.topic(), record.value()) instanceof PacketEvent packet) {
                        packets.add(packet);
                        distinct.add(packet.getSrcPort() * 10_000 + packet.getDstPort());
                    }
                }
                if (distinct.size() >= expected && quietUntil == 0) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(1).toNanos(); // duplicates would show now
                }
            }
        }
        return packets;
    }

    private static Map<String, Object> client(EmbeddedBroker broker) {
        return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
