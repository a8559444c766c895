package dev.wirewatch.sink.delivery;

import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Severity;
import dev.wirewatch.sink.Notification;
import dev.wirewatch.sink.output.DeliveryException;
import dev.wirewatch.sink.output.Output;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One output's own thread and queue, so a receiver that is down or slow delays only itself. A notification is tried
 * with exponential backoff up to the retry policy's bound, then each of its alerts is recorded in
 * ww.alerts.undelivered. While an output is known broken (its last notification was given up on), queued ones get a
 * single attempt, so a long outage costs one retry cycle, not one per notification. Severity filter and rate limit
 * apply here, per output. When the sink stops, each queued notification gets one attempt; what fails then stays
 * uncommitted and is read again after the restart.
 */
public final class OutputWorker {
    private static final Logger LOG = LoggerFactory.getLogger(OutputWorker.class);
    private static final int QUEUE = 10_000;
    /** Failed attempts in a row after which the output counts as failing on /health (one blip is not an outage). */
    public static final int FAILING_AFTER = 3;

    private final String name;
    private final Output output;
    private final Severity minSeverity;
    private final RateLimit rateLimit;
    private final RetryPolicy retry;
    private final UndeliveredLog undelivered;
    private final SinkMetrics metrics;
    private final OffsetLedger ledger;
    private final BlockingQueue<Delivery> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Thread thread;
    private volatile boolean stopping;
    private boolean failing;
    private boolean broken;
    private boolean abandoned;
    /** Failed attempts since the last delivery and the last one's reason; read by /health on another thread. */
    private volatile Failures failures = Failures.NONE;

    private record Failures(int inARow, String lastReason) {
        static final Failures NONE = new Failures(0, null);
    }

    /** @param name unique among the sink's outputs: how logs, metrics and ww.alerts.undelivered name it */
    public OutputWorker(String name, Output output, Severity minSeverity, RateLimit rateLimit, RetryPolicy retry,
                        UndeliveredLog undelivered, SinkMetrics metrics, OffsetLedger ledger) {
        this.name = name;
        this.output = output;
        this.minSeverity = minSeverity;
        this.rateLimit = rateLimit;
        this.retry = retry;
        this.undelivered = undelivered;
        this.metrics = metrics;
        this.ledger = ledger;
        this.thread = new Thread(this::run, "wirewatch-sink-" + name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    public String name() {
        return name;
    }

    /** Why this output is failing, once {@link #FAILING_AFTER} attempts in a row failed; empty again once it delivers. */
    public Optional<String> failing() {
        Failures now = failures;
        return now.inARow() < FAILING_AFTER ? Optional.empty()
                : Optional.of(name + ": " + now.inARow() + " delivery attempts in a row failed, last: " + now.lastReason());
    }

    /** The part of a notification this output is sent: alerts at or above its severity; empty when none. */
    public List<Alert> selects(Notification notification) {
        if (notification.resolved() && !output.wantsResolved()) {
            return List.of();
        }
        return notification.alerts().stream().filter(alert -> alert.getSeverity().ordinal() >= minSeverity.ordinal()).toList();
    }

    /**
     * Queues a delivery, waiting while the queue is full (the sink then stops reading: back-pressure, not loss).
     * False when the worker is stopping and the queue stays full: the delivery's alerts then stay uncommitted.
     */
    public boolean offer(Delivery delivery) throws InterruptedException {
        while (!queue.offer(delivery, 100, TimeUnit.MILLISECONDS)) {
            if (stopping) {
                return false;
            }
        }
        return true;
    }

    private void run() {
        while (!stopping || !queue.isEmpty()) {
            Delivery delivery;
            try {
                delivery = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (delivery != null && deliver(delivery)) {
                delivery.positions().forEach(ledger::finish);
                delivery.finished().run();
            }
        }
    }

    /** True when the delivery is finished: accepted, or given up on and recorded as undelivered. */
    private boolean deliver(Delivery delivery) {
        Notification notification = delivery.notification();
        if (stopping && abandoned) {
            return false;
        }
        if (rateLimit != null && !rateLimit.tryAcquire(System.nanoTime())) {
            metrics.rateLimited(name, notification.alerts().size());
            return giveUp(notification, "rate limit " + rateLimit + " of " + name + " reached", 0);
        }
        int attempts = broken || stopping ? 1 : retry.attempts();
        for (int attempt = 1; ; attempt++) {
            DeliveryException failure;
            try {
                output.send(notification);
                failures = Failures.NONE;
                metrics.delivered(name, notification.alerts().size(), Duration.ofNanos(System.nanoTime() - delivery.receivedNanos()));
                if (failing) {
                    LOG.info("{}: delivering again", name);
                    failing = false;
                    broken = false;
                }
                return true;
            } catch (DeliveryException e) {
                failure = e;
            } catch (RuntimeException e) {
                failure = new DeliveryException("the output failed: " + e, false); // a bug retried stays a bug
            }
            failures = new Failures(failures.inARow() + 1, failure.getMessage());
            if (!failing) {
                LOG.warn("{}: {}; retrying up to {} times over {} s", name, failure.getMessage(), retry.attempts() - 1,
                        retry.worstCase().toSeconds());
                failing = true;
            }
            if (stopping && failure.retryable()) {
                abandoned = true; // the rest of the queue stays uncommitted: read again after the restart
                return false;
            }
            if (!failure.retryable() || attempt >= attempts) {
                broken = failure.retryable();
                metrics.failed(name, notification.alerts().size());
                return giveUp(notification, failure.getMessage(), attempt);
            }
            metrics.retried(name);
            pause(retry.backoff(attempt));
        }
    }

    /** Records the alerts as undelivered (retrying Kafka until it takes them); false if the sink stops first. */
    private boolean giveUp(Notification notification, String reason, int attempts) {
        if (notification.resolved()) {
            return true; // a resolution is not a finding: Alertmanager ends it by endsAt anyway
        }
        LOG.warn("{}: gave up on {} alert(s) after {} attempt(s): {}", name, notification.alerts().size(), attempts, reason);
        for (int attempt = 1; ; attempt++) {
            try {
                notification.alerts().forEach(alert -> undelivered.undelivered(alert, name, reason, attempts));
                return true;
            } catch (RuntimeException e) {
                if (stopping) {
                    LOG.error("{}: cannot record undelivered alerts ({}); they stay uncommitted", name, e.getMessage());
                    return false;
                }
                LOG.warn("{}: cannot record undelivered alerts yet: {}", name, e.getMessage());
                pause(retry.backoff(attempt));
            }
        }
    }

    /** A backoff that {@link #stop} cuts short (without interrupting a send in progress). */
    private synchronized void pause(Duration pause) {
        long until = System.nanoTime() + pause.toNanos();
        try {
            while (!stopping && System.nanoTime() < until) {
                wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** No more retries: each queued notification gets one attempt. Returns at once; {@link #awaitStopped} waits. */
    public synchronized void stop() {
        stopping = true;
        notifyAll();
    }

    /** Waits until the queue is worked off or {@code deadlineNanos}; closes the output only once its thread is done. */
    public boolean awaitStopped(long deadlineNanos) {
        try {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("{}: still sending at shutdown; what it holds stays uncommitted", name);
            return false;
        }
        output.close();
        return true;
    }
}
