package dev.wirewatch.sensor;

import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether capture lost packets lately: the kernel's ring (or libpcap's buffer) and the interface count what they
 * dropped, and a sensor that dropped within the last minute says so in its status and on /health, as the outbox
 * does for its queue. Logged once per episode, not per check.
 */
final class CaptureDropWatch {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureDropWatch.class);
    static final Duration REMEMBERED = Duration.ofSeconds(60);

    private final LongSupplier dropped;
    private final LongSupplier clockNanos;
    private long seen;
    private long lastRiseNanos;
    private boolean rising;

    CaptureDropWatch(LongSupplier dropped, LongSupplier clockNanos) {
        this.dropped = dropped;
        this.clockNanos = clockNanos;
    }

    synchronized Optional<String> degraded() {
        long now = clockNanos.getAsLong();
        long total = dropped.getAsLong();
        if (total > seen) {
            if (!rising) {
                LOG.warn("capture is losing packets: {} dropped by the kernel's buffer or the interface so far "
                        + "(a larger --buffer-size or more --capture-threads may help)", total);
            }
            seen = total;
            lastRiseNanos = now;
            rising = true;
        }
        if (rising && now - lastRiseNanos >= REMEMBERED.toNanos()) {
            rising = false;
        }
        return rising ? Optional.of(String.format("%,d packets dropped in capture (kernel buffer or interface)", seen))
                : Optional.empty();
    }
}
