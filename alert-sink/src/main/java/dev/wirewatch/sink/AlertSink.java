package dev.wirewatch.sink;

import dev.wirewatch.record.Alert;
import dev.wirewatch.sink.delivery.AlertPosition;
import dev.wirewatch.sink.delivery.Delivery;
import dev.wirewatch.sink.delivery.OffsetLedger;
import dev.wirewatch.sink.delivery.OutputWorker;
import dev.wirewatch.sink.delivery.RateLimit;
import dev.wirewatch.sink.delivery.SinkMetrics;
import dev.wirewatch.sink.delivery.UndeliveredLog;
import dev.wirewatch.sink.output.Output;
import dev.wirewatch.sink.output.OutputSpec;
import dev.wirewatch.sink.output.Outputs;
import dev.wirewatch.sink.route.BurstGrouper;
import dev.wirewatch.sink.route.ResolveTracker;
import dev.wirewatch.sink.route.AlertDigest;
import dev.wirewatch.sink.route.DeliveredAlerts;
import dev.wirewatch.sink.route.OpenConditions;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ww.alerts to the outputs: read, drop what was already sent (same id and content; new content under a known id is
 * sent as an update of it), collect bursts, hand each notification to
 * every output's own worker, tell outputs when a condition clears (open conditions are kept in ww.sink.open, so the
 * next sink of the group resolves what this one opened), and commit an alert's offset only once every
 * output has delivered it or given up on it (then it is in ww.alerts.undelivered). A restart resumes at the first
 * unfinished alert, so nothing is lost, and nothing finished is sent again.
 */
public final class AlertSink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertSink.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final int REMEMBERED_IDS = 100_000;
    /** How long a stopping sink gives its outputs to finish what they hold (one attempt each). */
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final SinkConfig config;
    private final Map<String, Object> clientConfig;
    private final SinkMetrics metrics;
    private final OffsetLedger ledger = new OffsetLedger();
    private final BurstGrouper grouper;
    private final ResolveTracker resolver;
    /**
     * Partitions given to this sink, to the end they had then: until it has read that far, it resolves nothing, for an
     * alert read again there (its predecessor had not committed it) may refresh a condition read back as open.
     */
    private final Map<TopicPartition, Long> catchingUp = new HashMap<>();
    /** Null while resolution is off. */
    private final OpenConditions openConditions;
    private final DeliveredAlerts delivered = new DeliveredAlerts(REMEMBERED_IDS);
    private final UndeliveredLog undelivered;
    private final List<OutputWorker> workers = new ArrayList<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean stopping;
    private boolean undecodableLogged;

    /** Checks every output first (files, URLs, options), so a bad one fails before any thread or Kafka client exists. */
    public AlertSink(Map<String, Object> clientConfig, SinkConfig config, MeterRegistry registry) {
        this.config = config;
        this.clientConfig = Map.copyOf(clientConfig);
        this.metrics = new SinkMetrics(registry);
        this.grouper = new BurstGrouper(config.groupWait().toNanos());
        this.resolver = new ResolveTracker(config.resolveAfter().toMillis());
        List<Output> outputs = new ArrayList<>();
        try {
            for (OutputSpec spec : config.outputs()) {
                outputs.add(Outputs.create(spec, config.resolveAfter()));
            }
        } catch (RuntimeException e) {
            outputs.forEach(Output::close);
            throw e;
        }
        this.undelivered = new UndeliveredLog(clientConfig);
        this.openConditions = resolver.enabled() ? new OpenConditions(clientConfig, config.groupId()) : null;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            String name = outputs.get(i).name();
            long same = names.stream().filter(name::equals).count();
            names.add(name);
            OutputSpec spec = config.outputs().get(i);
            workers.add(new OutputWorker(same == 0 ? name : name + "#" + (same + 1), outputs.get(i), spec.minSeverity(),
                    RateLimit.parse(spec.option("rate", null), System.nanoTime()), config.retry(), undelivered, metrics,
                    ledger));
        }
        Map<String, Object> properties = new HashMap<>(clientConfig);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, config.fromStart() ? "earliest" : "latest");
        this.consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer());
    }

    public List<String> outputNames() {
        return workers.stream().map(OutputWorker::name).toList();
    }

    /** For /health: the outputs failing now and why (see {@link OutputWorker#failing}); empty while all deliver. */
    public Optional<String> degraded() {
        List<String> failing = workers.stream().map(OutputWorker::failing).flatMap(Optional::stream).toList();
        return failing.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", failing));
    }

    /** Runs until {@link #close()}. */
    public void run() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("a sink runs once");
        }
        try {
            consumer.subscribe(List.of(config.topic()), new CommitOnRevoke());
            while (!stopping) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    accept(record);
                }
                long now = System.nanoTime();
                for (BurstGrouper.Group group : grouper.due(now)) {
                    dispatch(group);
                }
                catchingUp.entrySet().removeIf(end -> consumer.position(end.getKey()) >= end.getValue());
                List<Alert> clearedNow = List.of();
                if (catchingUp.isEmpty()) {
                    synchronized (resolver) {
                        clearedNow = resolver.cleared(System.currentTimeMillis());
                    }
                }
                for (Alert cleared : clearedNow) {
                    resolve(cleared, now);
                }
                commit();
            }
        } catch (WakeupException e) {
            // close() ends the poll
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stop();
        }
    }

    /** Sends what is collected (one attempt per output), waits for the outputs up to a bound, commits, closes. */
    private void stop() {
        workers.forEach(OutputWorker::stop);
        try {
            for (BurstGrouper.Group group : grouper.drain()) {
                dispatch(group);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        boolean allStopped = true;
        for (OutputWorker worker : workers) {
            allStopped &= worker.awaitStopped(deadline);
        }
        commit();
        consumer.close();
        if (allStopped) {
            if (openConditions != null) {
                openConditions.close(); // likewise for a resolution such a worker still finishes
            }
            undelivered.close(); // a worker still sending may yet need it; the JVM's exit closes it then
        }
        stopped.countDown();
    }

    private void accept(ConsumerRecord<String, byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        AlertPosition position = ledger.position(partition, record.offset());
        Alert alert;
        try {
            alert = AlertRecords.decode(record);
        } catch (RuntimeException e) {
            metrics.undecodable();
            if (!undecodableLogged) {
                LOG.warn("sink: {}-{} offset {} is not an alert: {}; copied to ww.deadletter, further ones counted "
                        + "in wirewatch_sink_undecodable_total", record.topic(), record.partition(), record.offset(), e.getMessage());
                undecodableLogged = true;
            }
            undelivered.undecodable(record, e.getMessage());
            ledger.open(position, 0);
            return;
        }
        long digest = AlertDigest.of(alert);
        int revision = delivered.revisionOf(alert.getId(), digest, alert.getRevision());
        if (revision == DeliveredAlerts.DUPLICATE) {
            metrics.duplicate();
            ledger.open(position, 0);
            return;
        }
        long now = System.nanoTime();
        ledger.open(position, 1); // held by the grouper until every output has it queued
        Optional<BurstGrouper.Received> replaced = grouper.replace(alert, position);
        if (replaced.isPresent()) {
            revision = replaced.get().revision(); // the older content was never sent: this one goes in its place
            ledger.finish(replaced.get().position());
        } else {
            grouper.add(alert, revision, position, now);
            if (revision > 1) {
                metrics.update();
            }
        }
        delivered.take(alert.getId(), digest, revision, partition);
        if (resolver.enabled()) {
            long seenMillis = System.currentTimeMillis();
            synchronized (resolver) { // with tombstone(): the newer of an open and a resolution is the one kept
                resolver.seen(alert, seenMillis, partition);
                openConditions.opened(alert, seenMillis, partition);
            }
        }
    }

    /** An alert finished before this sink got its partition: what it said, so a re-send is known as a duplicate. */
    private void finishedBefore(Alert alert, TopicPartition partition) {
        long digest = AlertDigest.of(alert);
        int revision = delivered.revisionOf(alert.getId(), digest, alert.getRevision());
        if (revision != DeliveredAlerts.DUPLICATE) {
            delivered.take(alert.getId(), digest, revision, partition);
        }
    }

    private void dispatch(BurstGrouper.Group group) throws InterruptedException {
        boolean handedOver = dispatch(Notification.firing(group.alerts(), group.revisions(), Instant.now()),
                group.items().stream().map(BurstGrouper.Received::position).toList(), group.firstNanos(), () -> {});
        if (handedOver) {
            group.items().forEach(item -> ledger.finish(item.position()));
        }
    }

    /**
     * Tells every output that takes it that {@code cleared}'s condition is resolved; once all of them have finished
     * it, its ww.sink.open record is tombstoned at once (see {@link #commit} for the order). A resolution some output could not take (the
     * sink is stopping) stays open there, and the next sink resolves it.
     */
    private void resolve(Alert cleared, long nowNanos) throws InterruptedException {
        Notification resolution = Notification.resolved(cleared, Instant.now());
        String subject = AlertSubject.of(cleared);
        AtomicInteger unfinished = new AtomicInteger(
                (int) workers.stream().filter(worker -> !worker.selects(resolution).isEmpty()).count());
        if (unfinished.get() == 0) {
            tombstone(subject);
            return;
        }
        dispatch(resolution, List.of(), nowNanos, () -> {
            if (unfinished.decrementAndGet() == 0) {
                tombstone(subject); // on the last output's worker: the window for a repeat is this write's round trip
            }
        });
    }

    /** The resolution of {@code subject} is finished: no sink sends it again, unless it opened again meanwhile. */
    private void tombstone(String subject) {
        synchronized (resolver) {
            if (!resolver.isOpen(subject)) {
                openConditions.resolved(subject);
            }
        }
        openConditions.flush();
    }

    /**
     * Hands a notification to every output that takes some of it ({@code positions} align with its alerts). False if
     * a stopping output could not take it: its records then stay open, uncommitted, and are read again after a restart.
     */
    private boolean dispatch(Notification notification, List<AlertPosition> positions, long receivedNanos,
                             Runnable finished) throws InterruptedException {
        boolean all = true;
        for (OutputWorker worker : workers) {
            List<Alert> selected = worker.selects(notification);
            if (selected.isEmpty()) {
                continue;
            }
            List<AlertPosition> held = new ArrayList<>();
            for (int i = 0; i < positions.size(); i++) {
                if (selected.contains(notification.alerts().get(i))) {
                    held.add(positions.get(i));
                }
            }
            held.forEach(position -> ledger.hold(position, 1));
            if (!worker.offer(new Delivery(notification.with(selected), held, receivedNanos, finished))) {
                all = false;
            }
        }
        return all;
    }

    /**
     * Writes ww.sink.open, then commits offsets, in this order, so that a crash at any point neither loses a
     * resolution nor sends one twice beyond the window every delivery has:
     * <ul>
     * <li>an alert's condition was sent to ww.sink.open when it was read; the flush here makes it durable before the
     * alert's offset is committed. A crash before the commit reads the alert again and opens it again;
     * <li>a resolution is tombstoned only after every output finished it ({@link #tombstone}): a crash before that
     * leaves the condition in ww.sink.open and the next sink resolves it (at least once, like a firing alert whose
     * offset was not yet committed when the sink died); once the tombstone is acknowledged, no sink sends it again;
     * <li>a condition that opened again while its resolution was on its way keeps its newer record: no tombstone.
     * </ul>
     */
    private void commit() {
        if (openConditions != null) {
            openConditions.flush();
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = ledger.advanced();
        if (offsets.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(offsets, Duration.ofSeconds(30));
            ledger.committed(offsets);
        } catch (WakeupException e) {
            commit(); // close() woke the consumer: commit all the same
        } catch (KafkaException e) {
            LOG.warn("sink: cannot commit offsets yet ({}); trying again", e.getMessage());
        }
    }

    /** Commits what is finished before a partition moves to another sink of the group. */
    private final class CommitOnRevoke implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            commit();
            ledger.forget(partitions);
            delivered.forget(partitions);
            synchronized (resolver) {
                resolver.forget(partitions);
            }
            partitions.forEach(catchingUp::remove);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            LOG.info("sink: reading {} partition(s) of {}", partitions.size(), config.topic());
            if (!partitions.isEmpty()) {
                AlertHistory.read(clientConfig, consumer.committed(new HashSet<>(partitions), Duration.ofSeconds(30)),
                        AlertSink.this::finishedBefore);
                if (resolver.enabled()) {
                    List<ResolveTracker.Open> left = OpenConditions.readBack(clientConfig, config.groupId(),
                            config.topic(), partitions);
                    synchronized (resolver) {
                        left.forEach(resolver::adopt);
                    }
                    catchingUp.putAll(consumer.endOffsets(partitions, Duration.ofSeconds(30)));
                    if (!left.isEmpty()) {
                        LOG.info("sink: {} condition(s) left open by a previous sink of group {}", left.size(),
                                config.groupId());
                    }
                }
            }
        }
    }

    /** Stops reading, sends what is collected, waits for the outputs (bounded) and commits. */
    @Override
    public void close() {
        stopping = true;
        if (started.compareAndSet(false, true)) {
            workers.forEach(OutputWorker::stop);
            workers.forEach(worker -> worker.awaitStopped(System.nanoTime()));
            consumer.close();
            undelivered.close();
            if (openConditions != null) {
                openConditions.close();
            }
            return;
        }
        workers.forEach(OutputWorker::stop);
        consumer.wakeup();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
