package dev.wirewatch.sink.delivery;

import java.time.Duration;

/**
 * How long an output keeps trying: {@code attempts} in all, waiting {@code firstBackoff}, then twice as long each
 * time up to {@code maxBackoff}. Bounded, so one dead receiver delays the commit by at most that long; what is given
 * up on goes to ww.alerts.undelivered.
 */
public record RetryPolicy(int attempts, Duration firstBackoff, Duration maxBackoff) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(8, Duration.ofSeconds(1), Duration.ofSeconds(60));

    public RetryPolicy {
        if (attempts < 1) {
            throw new IllegalArgumentException("retries: at least one attempt, was " + attempts);
        }
    }

    /** The wait before attempt {@code attempt + 1}, after {@code attempt} failed ones. */
    public Duration backoff(int attempt) {
        long millis = firstBackoff.toMillis() << Math.min(attempt - 1, 20);
        return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
    }

    /** The longest all retries of one notification can take (without the attempts themselves). */
    public Duration worstCase() {
        Duration total = Duration.ZERO;
        for (int attempt = 1; attempt < attempts; attempt++) {
            total = total.plus(backoff(attempt));
        }
        return total;
    }
}
