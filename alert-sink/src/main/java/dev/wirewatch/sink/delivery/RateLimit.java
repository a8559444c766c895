package dev.wirewatch.sink.delivery;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * At most {@code count} notifications per {@code period} to one output (a token bucket refilled evenly, holding up to
 * {@code count}): a burst after a quiet hour goes through, a storm does not flood a chat channel.
 */
public final class RateLimit {
    private static final Pattern SPEC = Pattern.compile("(\\d+)/(s|m|h)");

    private final String text;
    private final double capacity;
    private final double perNano;
    private double tokens;
    private long refilledNanos;

    private RateLimit(String text, int count, Duration period, long nowNanos) {
        this.text = text;
        this.capacity = count;
        this.perNano = count / (double) period.toNanos();
        this.tokens = count;
        this.refilledNanos = nowNanos;
    }

    /** {@code N/s}, {@code N/m} or {@code N/h}; null for no limit. */
    public static RateLimit parse(String text, long nowNanos) {
        if (text == null) {
            return null;
        }
        Matcher match = SPEC.matcher(text.trim());
        if (!match.matches() || Integer.parseInt(match.group(1)) < 1) {
            throw new IllegalArgumentException("rate '" + text + "' is not a rate: use e.g. 30/m, 2/s or 100/h");
        }
        Duration period = switch (match.group(2)) {
            case "s" -> Duration.ofSeconds(1);
            case "m" -> Duration.ofMinutes(1);
            default -> Duration.ofHours(1);
        };
        return new RateLimit(text.trim(), Integer.parseInt(match.group(1)), period, nowNanos);
    }

    /** Takes a token if there is one. */
    public boolean tryAcquire(long nowNanos) {
        tokens = Math.min(capacity, tokens + (nowNanos - refilledNanos) * perNano);
        refilledNanos = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }
}
