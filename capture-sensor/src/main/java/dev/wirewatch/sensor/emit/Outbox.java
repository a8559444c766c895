package dev.wirewatch.sensor.emit;

import dev.wirewatch.record.SensorStatus;
import dev.wirewatch.record.Tick;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live sensor's way to Kafka. Capture threads never wait for the broker: they append encoded records to a
 * queue bounded in bytes, and when it is full the oldest records are dropped and counted (the newest say most
 * about now). One sender thread hands records to the {@link RecordPublisher} in order, retrying while Kafka is
 * unreachable; records the producer accepted wait inside it until the broker is back (its delivery timeout is
 * long). While Kafka does not acknowledge, or shortly after drops, the outbox reports itself degraded.
 */
public final class Outbox implements RecordSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
    /** Kafka silent this long with records in flight counts as unreachable. */
    private static final Duration UNACKNOWLEDGED = Duration.ofSeconds(5);
    /** Drops keep the sensor degraded this long. */
    private static final Duration DROPS_REMEMBERED = Duration.ofSeconds(60);
    private static final long RETRY_MILLIS = 200;

    private final RecordPublisher publisher;
    private final long capacityBytes;
    private final ArrayDeque<RecordPublisher.Outgoing> queue = new ArrayDeque<>();
    private final Thread sender;
    private long queuedBytes;
    private long dropped;
    private long lastDropNanos;
    private long blockedSinceNanos;
    private boolean closing;
    private boolean outageLogged;
    private long sendFailures;
    private String lastSendFailure;
    private final CompletableFuture<String> stoppedForGood = new CompletableFuture<>();

    public Outbox(RecordPublisher publisher, long capacityBytes) {
        if (capacityBytes < 1024) {
            throw new IllegalArgumentException("the sensor's queue needs at least 1 KiB: " + capacityBytes);
        }
        this.publisher = publisher;
        this.capacityBytes = capacityBytes;
        this.sender = new Thread(this::sendLoop, "wirewatch-sensor-sender");
        this.sender.setDaemon(true);
        this.sender.start();
    }

    @Override
    public void publish(SpecificRecord record) {
        offer(publisher.encode(record));
    }

    public void status(SensorStatus status) {
        offer(publisher.encode(status));
    }

    @Override
    public void tick(String host, long tsMicros, boolean endOfInput) {
        offer(RecordPublisher.tickRecord(host, tsMicros, endOfInput));
    }

    @Override
    public void tick(Tick tick) {
        offer(publisher.encode(tick));
    }

    private synchronized void offer(RecordPublisher.Outgoing record) {
        if (closing) {
            dropped++;
            return;
        }
        queue.addLast(record);
        queuedBytes += record.size();
        while (queuedBytes > capacityBytes && queue.size() > 1) {
            queuedBytes -= queue.removeFirst().size();
            dropped++;
            lastDropNanos = System.nanoTime();
        }
        notifyAll();
    }

    private synchronized RecordPublisher.Outgoing take() throws InterruptedException {
        while (queue.isEmpty()) {
            if (closing) {
                return null;
            }
            wait();
        }
        RecordPublisher.Outgoing record = queue.removeFirst();
        queuedBytes -= record.size();
        notifyAll();
        return record;
    }

    /**
     * Sends until closed. Kafka refusing the client (login, ACLs) ends it and completes {@link #stoppedForGood()}:
     * nothing will ever be delivered, the process must say so and stop. Anything else unforeseen costs the record it
     * happened on, counted as dropped, and the sensor is degraded with the reason while it goes on.
     */
    private void sendLoop() {
        try {
            RecordPublisher.Outgoing record;
            while ((record = take()) != null) {
                if (!sendUntilAccepted(record)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            // an Error: this thread cannot go on, and a sensor that sends nothing must not look alive
            stopForGood("the sensor's sender failed: " + e);
        }
    }

    /**
     * Retries one record until the producer takes it; it stays in hand, so queue drops never touch it. False once
     * Kafka refused the client.
     */
    private boolean sendUntilAccepted(RecordPublisher.Outgoing record) throws InterruptedException {
        while (true) {
            try {
                publisher.send(record);
                synchronized (this) {
                    blockedSinceNanos = 0;
                }
                Optional<RuntimeException> refusal = publisher.refusal();
                if (refusal.isPresent()) {
                    refused(refusal.get());
                    return false;
                }
                return true;
            } catch (RetriableException e) { // Kafka's TimeoutException among them: unreachable, or its buffer full
                synchronized (this) {
                    if (blockedSinceNanos == 0) {
                        blockedSinceNanos = System.nanoTime();
                    }
                    if (closing) {
                        dropped++;
                        return true;
                    }
                }
                Thread.sleep(RETRY_MILLIS);
            } catch (RuntimeException e) {
                if (RecordPublisher.refusesTheClient(e)) {
                    synchronized (this) {
                        dropped++; // the record in hand
                    }
                    refused(e);
                    return false;
                }
                failedToSend(e);
                Thread.sleep(RETRY_MILLIS);
                return true;
            }
        }
    }

    private synchronized void failedToSend(RuntimeException e) {
        dropped++;
        lastDropNanos = System.nanoTime();
        lastSendFailure = e.toString();
        if (sendFailures++ == 0) {
            LOG.error("a record could not be handed to Kafka ({}); it is dropped and counted, the sensor is degraded "
                    + "and goes on (further failures are counted, not logged)", e.toString(), e);
        }
    }

    private void refused(Throwable e) {
        stopForGood("Kafka refused the sensor: " + e);
    }

    private synchronized void stopForGood(String why) {
        if (!stoppedForGood.isDone()) {
            LOG.error("{}; nothing can be delivered", why);
        }
        stoppedForGood.complete(why);
        closing = true; // what comes now can never be sent: counted as dropped
        dropped += queue.size();
        queue.clear();
        queuedBytes = 0;
        notifyAll();
    }

    /**
     * Completes, with the reason in one line, when sending has stopped for good: Kafka refused the client
     * (authentication, authorisation), or the sender met an error it cannot survive.
     */
    public CompletableFuture<String> stoppedForGood() {
        return stoppedForGood;
    }

    /** How long Kafka has not acknowledged records the sensor is waiting on; zero while it does. */
    public synchronized Duration unreachableFor() {
        Duration silent = publisher.sinceLastAck();
        // records waiting anywhere (in hand, in the queue, in the producer) and no acknowledgement: Kafka is away,
        // whatever the sender was told
        boolean waiting = blockedSinceNanos != 0 || publisher.inFlight() > 0 || !queue.isEmpty();
        return waiting && silent.compareTo(UNACKNOWLEDGED) > 0 ? silent : Duration.ZERO;
    }

    /** Why the sensor is degraded, if it is: Kafka unreachable, or records dropped lately. */
    public synchronized Optional<String> degraded() {
        long now = System.nanoTime();
        Duration silent = unreachableFor();
        boolean unreachable = !silent.isZero();
        boolean droppedLately = dropped > 0 && now - lastDropNanos < DROPS_REMEMBERED.toNanos();
        String reason = null;
        if (unreachable) {
            reason = "Kafka has not acknowledged records for " + silent.toSeconds() + " s";
        }
        if (stoppedForGood.isDone()) {
            reason = stoppedForGood.join();
        } else if (droppedLately) {
            reason = (reason == null ? "" : reason + "; ") + String.format("%,d records dropped (%s)", dropped,
                    lastSendFailure == null ? "queue full" : "queue full, or Kafka would not take them: " + lastSendFailure);
        }
        if (unreachable && !outageLogged) {
            outageLogged = true;
            LOG.warn("{}; capture goes on, up to {} bytes are queued, the oldest dropped beyond", reason, capacityBytes);
        } else if (!unreachable && outageLogged) {
            outageLogged = false;
            LOG.info("Kafka acknowledges again; {} records dropped so far", dropped);
        }
        return Optional.ofNullable(reason);
    }

    public synchronized long dropped() {
        return dropped;
    }

    public synchronized int queuedRecords() {
        return queue.size();
    }

    public synchronized long queuedBytes() {
        return queuedBytes;
    }

    /**
     * Sends what is queued and waits for Kafka to acknowledge it, at most {@code timeout}; what is still
     * unsent then is counted as dropped and logged. Records offered afterwards are dropped.
     *
     * @return the records never delivered since the start: dropped (queue full, unsendable, unsent at the end, or
     *     refused) and those Kafka did not take after the producer's own retries
     */
    public long close(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (!queue.isEmpty() && System.nanoTime() < deadline) {
                try {
                    wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            closing = true;
            notifyAll();
        }
        try {
            sender.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int leftInQueue;
        synchronized (this) {
            leftInQueue = queue.size();
            dropped += leftInQueue;
            queue.clear();
            queuedBytes = 0;
        }
        publisher.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        long undelivered = leftInQueue + publisher.failed();
        if (undelivered > 0) {
            LOG.warn("{} records were not delivered to Kafka before the sensor stopped (waited up to {} s){}",
                    undelivered, timeout.toSeconds(), publisher.firstFailure().map(why -> ": " + why).orElse(""));
        }
        return dropped() + publisher.failed();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
