package dev.wirewatch.app.console;

import dev.wirewatch.app.kafka.TopicReads;
import dev.wirewatch.record.Alert;
import dev.wirewatch.schemas.AvroSerde;
import dev.wirewatch.sink.AlertSubject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ww.alerts as the console shows it: every finding in its latest revision (a later record with the same id replaces
 * the earlier one), read from the oldest kept, then followed live; each alert read after the start is handed to the
 * listeners (the pages' event streams) as it arrives. A finding is resolved once no alert about its subject (the
 * condition, as the sink groups it: a lasting condition raises a new finding window after window) arrived for
 * {@code resolveAfter}, as the sink resolves it; for what was already on the topic at the start, the record's time
 * counts as its arrival. Reads only committed records (the processor writes exactly-once) and joins no
 * group: it commits nothing and disturbs no one.
 */
final class AlertFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertFeed.class);
    /** The findings kept in memory: the oldest are let go first (they stay on the topic, and their links work). */
    static final int KEPT = 20_000;

    /** A finding, when its latest revision arrived. */
    record Received(Alert alert, Instant at) {}

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Duration resolveAfter;
    private final Clock clock;
    private final Map<String, Received> latest = new LinkedHashMap<>();
    private final Map<String, Instant> subjectLastArrived = new HashMap<>();
    private final List<Consumer<Received>> listeners = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private volatile boolean caughtUp;
    private volatile String failure;
    private long undecodable;

    AlertFeed(Map<String, Object> clientConfig, String topic, Duration resolveAfter, Clock clock) {
        this.consumer = TopicReads.consumer(clientConfig);
        this.topic = topic;
        this.resolveAfter = resolveAfter;
        this.clock = clock;
        this.reader = new Thread(this::read, "wirewatch-console-alerts");
        reader.setDaemon(true);
    }

    void start() {
        var partitions = TopicReads.partitions(consumer, topic);
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        reader.start();
    }

    /** Every finding kept, oldest first. */
    synchronized List<Received> all() {
        return new ArrayList<>(latest.values());
    }

    synchronized Optional<Received> find(String id) {
        return Optional.ofNullable(latest.get(id));
    }

    synchronized boolean resolved(Received received) {
        Instant last = subjectLastArrived.getOrDefault(AlertSubject.of(received.alert()), received.at());
        return !resolveAfter.isZero() && last.plus(resolveAfter).isBefore(clock.instant());
    }

    /** Why no new alerts arrive any more (the reader failed), if it did. */
    Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    void listen(Consumer<Received> listener) {
        listeners.add(listener);
    }

    void stopListening(Consumer<Received> listener) {
        listeners.remove(listener);
    }

    private void read() {
        var decoder = AvroSerde.of(Alert.class).deserializer();
        try {
            Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
            while (true) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.value() == null) {
                        continue;
                    }
                    Alert alert;
                    try {
                        alert = decoder.deserialize(record.topic(), record.value());
                    } catch (RuntimeException e) {
                        if (undecodable++ == 0) {
                            LOG.warn("console: {} offset {} is no alert ({}); such records are skipped", topic,
                                    record.offset(), e.toString());
                        }
                        continue;
                    }
                    Instant now = clock.instant();
                    Instant at = caughtUp ? now : Instant.ofEpochMilli(Math.min(record.timestamp(), now.toEpochMilli()));
                    Received received = keep(alert, at);
                    if (caughtUp) {
                        listeners.forEach(listener -> listener.accept(received));
                    }
                }
                if (!caughtUp && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    caughtUp = true;
                    LOG.info("console: {} findings read from {}; following it live", all().size(), topic);
                }
            }
        } catch (WakeupException stopping) {
            // close() asked
        } catch (RuntimeException e) {
            failure = "reading " + topic + " failed (" + e.getMessage() + "): no new alerts show until the console restarts";
            LOG.error("console: {}", failure, e);
        } finally {
            consumer.close(Duration.ofSeconds(5)); // here: a KafkaConsumer is closed by the thread that used it
        }
    }

    private synchronized Received keep(Alert alert, Instant at) {
        Received received = new Received(alert, at);
        String id = alert.getId();
        latest.remove(id); // re-inserted last: the list is in order of arrival
        latest.put(id, received);
        subjectLastArrived.merge(AlertSubject.of(alert), at, (a, b) -> a.isAfter(b) ? a : b);
        if (subjectLastArrived.size() > KEPT) { // what resolved long ago needs no remembering
            Instant forgotten = clock.instant().minus(resolveAfter);
            subjectLastArrived.values().removeIf(last -> last.isBefore(forgotten));
        }
        if (latest.size() > KEPT) {
            Iterator<String> oldest = latest.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        return received;
    }

    @Override
    public void close() {
        if (!reader.isAlive()) {
            if (reader.getState() == Thread.State.NEW) {
                consumer.close(Duration.ofSeconds(5));
            }
            return;
        }
        consumer.wakeup(); // the reader closes the consumer on its way out
        try {
            reader.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
