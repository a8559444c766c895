package dev.wirewatch.sink.delivery;

import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Severity;
import dev.wirewatch.sink.Notification;
import dev.wirewatch.sink.output.DeliveryException;
import dev.wirewatch.sink.output.Output;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One output's own thread and queue, so a receiver that is down or slow delays only itself: it retries with
 * exponential backoff up to the retry policy's bound, then records each alert it gave up on in
 * ww.alerts.undelivered. Severity filter and rate limit are applied here, per output.
 */
public final class OutputWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutputWorker.class);
    private static final int QUEUE = 10_000;

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

    public OutputWorker(Output output, Severity minSeverity, RateLimit rateLimit, RetryPolicy retry,
                        UndeliveredLog undelivered, SinkMetrics metrics, OffsetLedger ledger) {
        this.output = output;
        this.minSeverity = minSeverity;
        this.rateLimit = rateLimit;
        this.retry = retry;
        this.undelivered = undelivered;
        this.metrics = metrics;
        this.ledger = ledger;
        this.thread = new Thread(this::run, "wirewatch-sink-" + output.name());
        this.thread.setDaemon(true);
        this.thread.start();
    }

    public String name() {
        return output.name();
    }

    /** The part of a notification this output is sent: alerts at or above its severity; empty when none. */
    public List<Alert> selects(Notification notification) {
        if (notification.resolved() && !output.wantsResolved()) {
            return List.of();
        }
        return notification.alerts().stream().filter(alert -> alert.getSeverity().ordinal() >= minSeverity.ordinal()).toList();
    }

    /** Queues a delivery; blocks while the queue is full (the sink then stops reading: back-pressure, not loss). */
    public void offer(Delivery delivery) throws InterruptedException {
        queue.put(delivery);
    }

    private void run() {
        while (!stopping || !queue.isEmpty()) {
            Delivery delivery;
            try {
                delivery = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                continue; // close() interrupts a wait; the loop condition decides
            }
            if (delivery != null) {
                try {
                    deliver(delivery);
                    delivery.positions().forEach(ledger::finish);
                } catch (RuntimeException e) {
                    // Not even ww.alerts.undelivered took it: leave it open, so it is read again after a restart.
                    LOG.error("{}: cannot record an undelivered alert, it stays uncommitted: {}", output.name(), e.getMessage());
                }
            }
        }
    }

    private void deliver(Delivery delivery) {
        Notification notification = delivery.notification();
        if (rateLimit != null && !rateLimit.tryAcquire(System.nanoTime())) {
            metrics.rateLimited(output.name(), notification.alerts().size());
            giveUp(notification, "rate limit " + rateLimit + " of " + output.name() + " reached", 0);
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                output.send(notification);
                metrics.delivered(output.name(), notification.alerts().size(), Duration.ofNanos(System.nanoTime() - delivery.receivedNanos()));
                if (failing) {
                    LOG.info("{}: delivering again after {} attempt(s)", output.name(), attempt);
                    failing = false;
                }
                return;
            } catch (DeliveryException e) {
                if (!failing) {
                    LOG.warn("{}: {}; retrying up to {} times over {} s", output.name(), e.getMessage(),
                            retry.attempts() - 1, retry.worstCase().toSeconds());
                    failing = true;
                }
                if (!e.retryable() || attempt >= retry.attempts()) {
                    metrics.failed(output.name(), notification.alerts().size());
                    giveUp(notification, e.getMessage(), attempt);
                    return;
                }
                metrics.retried(output.name());
                sleep(retry.backoff(attempt));
            }
        }
    }

    private void giveUp(Notification notification, String reason, int attempts) {
        if (notification.resolved()) {
            return; // a resolution is not a finding: Alertmanager ends it by endsAt anyway
        }
        LOG.warn("{}: gave up on {} alert(s) after {} attempt(s): {}", output.name(), notification.alerts().size(),
                attempts, reason);
        notification.alerts().forEach(alert -> undelivered.undelivered(alert, output.name(), reason, attempts));
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            // close() interrupts only to end waits early; the retry goes on
        }
    }

    /** Waits until everything queued is delivered or given up (bounded by the retry policy), then closes the output. */
    @Override
    public void close() {
        stopping = true;
        try {
            thread.join(retry.worstCase().plusSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        output.close();
    }
}
