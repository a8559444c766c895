package dev.wirewatch.schemas;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * A log for errors that can repeat once per record: the first of each kind is logged as one line (the stack trace
 * only at debug), later ones are counted and summarised at most once per interval ("N more since ..."), so a
 * stream of bad records cannot flood the log. Thread-safe; kinds should be few (a fixed label, not record content).
 *
 * <pre>
 *   private static final RepeatedLog ERRORS = new RepeatedLog(LoggerFactory.getLogger(MyStage.class));
 *   ERRORS.warn("undecodable ww.packets", "record skipped: " + e.getMessage(), e);
 * </pre>
 */
public final class RepeatedLog {
    public static final Duration SUMMARY_INTERVAL = Duration.ofMinutes(1);

    /** Where the lines go: the logger in service, a list in tests. */
    interface Lines {
        void warn(String line);

        void debug(String line, Throwable error);
    }

    private final Lines lines;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Map<String, Kind> kinds = new ConcurrentHashMap<>();

    public RepeatedLog(Logger log) {
        this(new Lines() {
            @Override
            public void warn(String line) {
                log.warn(line);
            }

            @Override
            public void debug(String line, Throwable error) {
                log.debug(line, error);
            }
        }, SUMMARY_INTERVAL, System::nanoTime);
    }

    RepeatedLog(Lines lines, Duration interval, LongSupplier nanoClock) {
        this.lines = lines;
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
    }

    /**
     * One occurrence of {@code kind}: logged if it is the first, else counted (and the count summarised if the last
     * line of this kind is an interval old). {@code error} may be null; its message joins the first line.
     *
     * @return how many of this kind so far, this one included
     */
    public long warn(String kind, String message, Throwable error) {
        Kind seen = kinds.computeIfAbsent(kind, any -> new Kind());
        synchronized (seen) {
            seen.total++;
            long now = nanoClock.getAsLong();
            if (seen.total == 1) {
                seen.lastLineNanos = now;
                seen.since = Instant.now();
                lines.warn(kind + ": " + message + (error == null ? "" : " (" + oneLine(error) + ")")
                        + "; further ones are counted and summarised at most once a minute");
                if (error != null) {
                    lines.debug(kind + ": first occurrence", error);
                }
            } else {
                seen.unreported++;
                if (now - seen.lastLineNanos >= intervalNanos) {
                    summarise(kind, seen, now);
                }
            }
            return seen.total;
        }
    }

    public long warn(String kind, String message) {
        return warn(kind, message, null);
    }

    /** How many of {@code kind} so far. */
    public long count(String kind) {
        Kind seen = kinds.get(kind);
        if (seen == null) {
            return 0;
        }
        synchronized (seen) {
            return seen.total;
        }
    }

    /** Summarises every kind with occurrences not yet reported (e.g. at shutdown, or from a periodic task). */
    public void flush() {
        kinds.forEach((kind, seen) -> {
            synchronized (seen) {
                if (seen.unreported > 0) {
                    summarise(kind, seen, nanoClock.getAsLong());
                }
            }
        });
    }

    private void summarise(String kind, Kind seen, long now) {
        lines.warn(kind + ": " + seen.unreported + " more since " + seen.since + " (" + seen.total + " in all)");
        seen.unreported = 0;
        seen.lastLineNanos = now;
        seen.since = Instant.now();
    }

    private static String oneLine(Throwable error) {
        String message = error.getMessage();
        String text = error.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline) + " ...";
    }

    private static final class Kind {
        long total;
        long unreported;
        long lastLineNanos;
        Instant since;
    }
}
