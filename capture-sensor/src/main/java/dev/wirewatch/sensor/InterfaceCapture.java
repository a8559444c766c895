package dev.wirewatch.sensor;

import dev.wirewatch.sensor.capture.CapturedFrame;
import dev.wirewatch.sensor.capture.LiveCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The capture of one interface, kept alive: a supervising thread runs its capture threads (one per ring socket), and
 * when one of them ends while the sensor runs (the interface deleted, replaced, a failure anywhere in reading or
 * decoding) it says so, stops the others, and reopens the interface every second until it can. Meanwhile the sensor
 * is degraded with the reason, and its ticks name the interface as not captured ({@link #blindSinceLastTick}), so the
 * processor does not take its silence for absence. Counters add up across reopenings.
 */
final class InterfaceCapture implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InterfaceCapture.class);
    static final Duration REOPEN_EVERY = Duration.ofSeconds(1);

    private final String iface;
    private final LiveCapture.Options options;
    private final Supplier<Consumer<CapturedFrame>> frames;
    private volatile List<LiveCapture> captures;
    private final Thread supervisor;
    private volatile boolean closing;
    /** Why the capture is down, and since when; null while it captures. */
    private volatile String downReason;
    private final AtomicBoolean downSinceTick = new AtomicBoolean();
    private long capturedBefore;
    private long kernelDropsBefore;
    private long ifaceDropsBefore;

    private InterfaceCapture(String iface, LiveCapture.Options options, List<LiveCapture> captures,
                             Supplier<Consumer<CapturedFrame>> frames) {
        this.iface = iface;
        this.options = options;
        this.captures = captures;
        this.frames = frames;
        this.supervisor = new Thread(this::supervise, "wirewatch-capture-" + iface);
    }

    /** Opens {@code iface} now: an interface that cannot be captured at start is the user's error, said at once. */
    static InterfaceCapture open(String iface, LiveCapture.Options options, Supplier<Consumer<CapturedFrame>> frames) {
        return new InterfaceCapture(iface, options, LiveCapture.open(iface, options), frames);
    }

    void start() {
        supervisor.start();
    }

    private void supervise() {
        while (!closing) {
            try {
                String ended = runUntilOneEnds(captures);
                if (closing) {
                    return;
                }
                down(ended);
            } catch (RuntimeException | Error e) {
                down("its supervision failed: " + e); // whatever broke, the interface is reopened
            }
            while (!closing && !reopen()) {
                try {
                    Thread.sleep(REOPEN_EVERY.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Runs every capture on its own thread until one ends; the reason it ended. */
    private String runUntilOneEnds(List<LiveCapture> running) {
        CountDownLatch oneEnded = new CountDownLatch(1);
        AtomicReference<String> why = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (LiveCapture capture : running) {
            Thread thread = new Thread(() -> {
                try {
                    capture.run(frames.get());
                    why.compareAndSet(null, Files.exists(Path.of("/sys/class/net", iface)) || iface.equals("any")
                            ? "its capture ended" : "the interface is gone");
                } catch (RuntimeException | Error e) {
                    why.compareAndSet(null, e.getMessage() == null ? e.toString() : e.getMessage());
                } finally {
                    oneEnded.countDown();
                }
            }, "wirewatch-capture-" + iface + "-" + threads.size());
            thread.start();
            threads.add(thread);
        }
        try {
            oneEnded.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running.forEach(LiveCapture::stop);
        for (Thread thread : threads) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return why.get();
    }

    private void down(String why) {
        if (downReason != null) {
            return; // already down: said once
        }
        downReason = String.format("capture of %s stopped at %s (%s); reopening it every %d s", iface,
                Instant.now().toString().substring(11, 19), why, REOPEN_EVERY.toSeconds());
        downSinceTick.set(true);
        LOG.error("{}: capture stopped ({}); the sensor is degraded and reopens it every {} s", iface, why,
                REOPEN_EVERY.toSeconds());
        retire();
    }

    /** Closes the captures, their counts kept. */
    private synchronized void retire() {
        for (LiveCapture capture : captures) {
            try {
                capturedBefore += capture.captured();
                LiveCapture.Drops drops = capture.drops();
                kernelDropsBefore += drops.kernel();
                ifaceDropsBefore += drops.iface();
                capture.close();
            } catch (RuntimeException e) {
                LOG.warn("{}: closing a stopped capture failed ({}); it is left behind", iface, e.toString());
            }
        }
        captures = List.of();
    }

    private boolean reopen() {
        if (!iface.equals("any") && !Files.exists(Path.of("/sys/class/net", iface))) {
            return false; // not back yet (opening would log the engines' complaints every second)
        }
        List<LiveCapture> reopened;
        try {
            reopened = LiveCapture.open(iface, options);
        } catch (RuntimeException | LinkageError e) {
            return false; // not back yet: said once when it went down
        }
        synchronized (this) {
            if (closing) {
                reopened.forEach(LiveCapture::close);
                return true;
            }
            captures = reopened;
        }
        LOG.info("{}: captured again", iface);
        downReason = null;
        return true;
    }

    String iface() {
        return iface;
    }

    /** Why the interface is not captured now, if it is not. */
    Optional<String> down() {
        return Optional.ofNullable(downReason);
    }

    /**
     * The interface was not captured at some moment since the last call (each tick calls it once): the span the
     * tick closes is blind on it.
     */
    boolean blindSinceLastTick() {
        boolean downNow = downReason != null;
        return downSinceTick.getAndSet(downNow) || downNow;
    }

    /** Engines in use ("ring", "libpcap"). */
    List<String> engines() {
        return captures.stream().map(LiveCapture::engine).distinct().toList();
    }

    int threads() {
        return captures.size();
    }

    synchronized long captured() {
        return capturedBefore + captures.stream().mapToLong(LiveCapture::captured).sum();
    }

    synchronized LiveCapture.Drops drops() {
        long kernel = kernelDropsBefore;
        long ifaceDrops = ifaceDropsBefore;
        for (LiveCapture capture : captures) {
            LiveCapture.Drops drops = capture.drops();
            kernel += drops.kernel();
            ifaceDrops += drops.iface();
        }
        return new LiveCapture.Drops(kernel, ifaceDrops);
    }

    /** Stops capturing (the frames already read are delivered) and waits for the threads. */
    void stop() {
        closing = true;
        synchronized (this) {
            captures.forEach(LiveCapture::stop);
        }
        try {
            supervisor.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closing = true;
        retire();
    }
}
