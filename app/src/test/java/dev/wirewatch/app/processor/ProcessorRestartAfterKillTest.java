package dev.wirewatch.app.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.schemas.Topics;
import dev.wirewatch.sensor.emit.RecordPublisher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A processor killed with SIGKILL and started again with the same state directory takes its partitions back as the
 * same static group member: it is RUNNING and processing again without waiting for the group to drop its dead
 * self. Timing is printed, not asserted (BENCHMARKS.md has the numbers); the bound only catches a hang.
 */
class ProcessorRestartAfterKillTest {
    private static final String APP = "restart-after-kill";

    @TempDir
    Path temp;

    private Process start(EmbeddedBroker broker, Path log) throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "dev.wirewatch.app.Main", "processor", "--bootstrap-servers",
                broker.bootstrapServers(), "--application-id", APP, "--state-dir", temp.resolve("state").toString());
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static double awaitLine(Process process, Path log, String line) throws Exception {
        long started = System.nanoTime();
        while (!Files.readString(log).contains(line)) {
            assertTrue(process.isAlive(), "the processor stopped: " + Files.readString(log));
            assertTrue(System.nanoTime() - started < TimeUnit.MINUTES.toNanos(3), "no '" + line + "' in 3 min");
            Thread.sleep(50);
        }
        return (System.nanoTime() - started) / 1e9;
    }

    /** Sends a tick of a sensor to every partition of ww.packets and waits until the processor has committed past it. */
    private static void tickAndAwaitProcessed(Admin admin, KafkaProducer<byte[], byte[]> producer, Process process,
                                              long tsMicros) throws Exception {
        RecordPublisher.Outgoing tick = RecordPublisher.tickRecord("client", tsMicros, false);
        for (int partition = 0; partition < 3; partition++) {
            producer.send(new ProducerRecord<>(Topics.PACKETS, partition, tick.timestampMs(), tick.key(), tick.value()));
        }
        producer.flush();
        Map<TopicPartition, OffsetSpec> latest = Map.of(new TopicPartition(Topics.PACKETS, 0), OffsetSpec.latest(),
                new TopicPartition(Topics.PACKETS, 1), OffsetSpec.latest(), new TopicPartition(Topics.PACKETS, 2),
                OffsetSpec.latest());
        var end = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (true) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(APP)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            if (end.entrySet().stream().allMatch(partition -> committed.containsKey(partition.getKey())
                    && committed.get(partition.getKey()).offset() >= partition.getValue().offset())) {
                return;
            }
            assertTrue(process.isAlive(), "the processor stopped");
            assertTrue(System.nanoTime() < deadline, "not processed within 3 min: " + committed + " < " + end);
            Thread.sleep(50);
        }
    }

    @Test
    void killedAndStartedAgainItRunsAndProcesses() throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3));
             Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                     CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            Path firstLog = temp.resolve("first.log");
            Process first = start(broker, firstLog);
            try {
                awaitLine(first, firstLog, "-> RUNNING");
                tickAndAwaitProcessed(admin, producer, first, 1_780_000_000_000_000L);
            } finally {
                first.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no leave-group, no commit
            }
            Path secondLog = temp.resolve("second.log");
            long restarted = System.nanoTime();
            Process second = start(broker, secondLog);
            try {
                double running = awaitLine(second, secondLog, "-> RUNNING");
                tickAndAwaitProcessed(admin, producer, second, 1_780_000_001_000_000L);
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(APP)).all()
                        .get(30, TimeUnit.SECONDS).get(APP);
                assertEquals(1, group.members().size(), "the restarted instance replaced its dead self: " + group);
                assertTrue(group.members().iterator().next().groupInstanceId().isPresent(), "a static member: " + group);
                System.out.printf("processor restart after kill -9: RUNNING after %.1f s, processing after %.1f s%n",
                        running, (System.nanoTime() - restarted) / 1e9);
            } finally {
                second.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
