package dev.wirewatch.sensor.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the kernel's drops from a {@link TraceInstance}: counts them per reason and hands those of IP packets, in
 * capture time, to a {@link DropCorrelator}. Trace timestamps are on the instance's clock (monotonic), packets' on
 * the wall clock: every few seconds it writes the wall-clock time into the trace as markers, and a marker's trace
 * timestamp gives the offset between the two. A write that is slow to happen (the first one loads classes for
 * milliseconds) understates the offset, so the largest of the last few is taken; re-measured so that a wall-clock step
 * is followed.
 */
public final class KernelDropReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KernelDropReader.class);
    private static final String CLOCK_MARK = "wirewatch-clock ";
    private static final long MARK_INTERVAL_MS = 5_000;
    /** Markers written back to back each time; the offset is the largest of the last this many. */
    private static final int MARKS_PER_MEASUREMENT = 4;
    private static final int ETH_P_IP = 0x0800;
    private static final int ETH_P_IPV6 = 0x86DD;
    /** {@code <task>-<pid> [cpu] flags seconds.micros: event: details}; only the time, event and details matter. */
    private static final Pattern LINE = Pattern.compile("\\s(\\d+)\\.(\\d{6}): (\\w+): (.*)$");
    private static final Pattern PROTOCOL = Pattern.compile("\\bprotocol=(\\d+)");
    private static final Pattern LOCATION = Pattern.compile("\\blocation=(\\S+)");
    private static final Pattern REASON = Pattern.compile("\\breason: (\\w+)");

    private final TraceInstance trace;
    private final DropCorrelator correlator;
    private final Map<String, LongAdder> byReason = new ConcurrentHashMap<>();
    private final LongAdder unreadable = new LongAdder();
    private final Thread reader;
    private final Thread marker;
    private volatile boolean closing;
    private volatile String failure;
    private long offsetMicros = Long.MIN_VALUE;
    private final long[] recentOffsets = new long[MARKS_PER_MEASUREMENT];
    private int marks;

    /** {@code trace} may be null for a reader that is fed lines ({@link #accept}) instead of reading them. */
    KernelDropReader(TraceInstance trace, DropCorrelator correlator) {
        this.trace = trace;
        this.correlator = correlator;
        this.reader = new Thread(this::read, "wirewatch-kernel-drops");
        this.marker = new Thread(this::markClock, "wirewatch-trace-clock");
        reader.setDaemon(true);
        marker.setDaemon(true);
    }

    /** Opens the trace instance and starts reading. */
    public static KernelDropReader start(DropCorrelator correlator) {
        KernelDropReader drops = new KernelDropReader(TraceInstance.open(), correlator);
        drops.marker.start();
        drops.reader.start();
        return drops;
    }

    /** Drops since the start, by the kernel's reason (every network namespace: the tracepoint is kernel-wide). */
    public Map<String, Long> countsByReason() {
        Map<String, Long> counts = new TreeMap<>();
        byReason.forEach((reason, count) -> counts.put(reason, count.sum()));
        return counts;
    }

    private void markClock() {
        while (!closing) {
            try {
                for (int i = 0; i < MARKS_PER_MEASUREMENT; i++) {
                    trace.mark(CLOCK_MARK + nowMicros());
                }
                Thread.sleep(MARK_INTERVAL_MS);
            } catch (IOException | RuntimeException e) {
                if (!closing) {
                    stopped("cannot write the clock marker into " + trace.directory() + ": " + e);
                }
                return;
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(trace.pipe(), StandardCharsets.US_ASCII))) {
            String line;
            while (!closing && (line = lines.readLine()) != null) {
                try {
                    accept(line);
                } catch (RuntimeException e) {
                    countUnreadable(line); // a line it cannot make sense of costs that line only
                }
            }
            if (!closing) {
                stopped("the trace pipe ended");
            }
        } catch (IOException | RuntimeException e) {
            if (!closing) {
                stopped("cannot read " + trace.directory() + ": " + e);
            }
        }
    }

    private void stopped(String why) {
        failure = "kernel drop reasons stopped: " + why;
        LOG.warn("{}; the sensor is degraded, capture goes on", failure);
    }

    /** Why reading the kernel's drops stopped, if it did (the sensor is degraded then). */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /** One line of the trace pipe. */
    void accept(String line) {
        Matcher event = LINE.matcher(line);
        if (!event.find()) {
            countUnreadable(line);
            return;
        }
        long traceMicros = Long.parseLong(event.group(1)) * 1_000_000 + Long.parseLong(event.group(2));
        String details = event.group(4);
        if (event.group(3).equals("tracing_mark_write") && details.startsWith(CLOCK_MARK)) {
            recentOffsets[marks++ % MARKS_PER_MEASUREMENT] = Long.parseLong(details.substring(CLOCK_MARK.length()).trim())
                    - traceMicros;
            if (marks >= MARKS_PER_MEASUREMENT) {
                offsetMicros = Arrays.stream(recentOffsets).max().getAsLong();
            }
            return;
        }
        if (!event.group(3).equals("kfree_skb")) {
            return;
        }
        Matcher reason = REASON.matcher(details);
        if (!reason.find()) {
            countUnreadable(line);
            return;
        }
        byReason.computeIfAbsent(reason.group(1), name -> new LongAdder()).increment();
        Matcher protocol = PROTOCOL.matcher(details);
        int ethertype = protocol.find() ? Integer.parseInt(protocol.group(1)) : -1;
        if ((ethertype == ETH_P_IP || ethertype == ETH_P_IPV6) && offsetMicros != Long.MIN_VALUE) {
            Matcher location = LOCATION.matcher(details);
            correlator.drop(new DropCorrelator.Drop(traceMicros + offsetMicros, reason.group(1),
                    location.find() ? location.group(1) : null));
        }
    }

    private void countUnreadable(String line) {
        unreadable.increment();
        if (unreadable.sum() == 1) {
            LOG.warn("a trace line this sensor cannot read (counted, not logged again): {}", line);
        }
    }

    private static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }

    /** Stops reading and turns the tracepoint off. */
    @Override
    public void close() {
        closing = true;
        marker.interrupt();
        try {
            trace.mark("wirewatch-stop"); // wakes the reader blocked on the pipe
        } catch (IOException e) {
            // the instance goes away below, which ends the read as well
        }
        try {
            reader.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        trace.close();
    }
}
