package dev.wirewatch.processor.detect;

import dev.wirewatch.processor.service.ServiceDetector;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Reports a subject at most once per fixed window of capture time (windows aligned to the epoch). Fixed windows, not
 * "since the last report": findings reach the service stage from several flow partitions in no fixed order, and the
 * set of reports — and their ids, derived from the window — must not depend on that order.
 */
final class ReportedOnce {
    /** Windows kept per subject: a finding this many windows late is reported again. */
    private static final int KEPT_WINDOWS = 6;

    private final KeyValueStore<String, Long> reported;
    private final long windowMicros;

    private ReportedOnce(KeyValueStore<String, Long> reported, long windowMicros) {
        this.reported = reported;
        this.windowMicros = windowMicros;
    }

    /** The store a detector that reports once per window keeps, named {@code name}: what its stage registers. */
    static StoreBuilder<?> store(String name) {
        return ServiceDetector.store(name, Serdes.String(), Serdes.Long());
    }

    /** Reports once per window of {@code windowMicros}, remembered in the stage's store {@code name} ({@link #store}). */
    static ReportedOnce open(ProcessorContext<?, ?> context, String name, long windowMicros) {
        return new ReportedOnce(context.getStateStore(name), windowMicros);
    }

    /** The start of the window of length {@code windowMicros} that holds {@code atMicros}; alert ids derive from it. */
    static long windowStart(long atMicros, long windowMicros) {
        return atMicros - Math.floorMod(atMicros, windowMicros);
    }

    /** True, and remembered, when {@code subject} was not yet reported in the window of {@code atMicros}. */
    boolean firstInWindow(String subject, long atMicros) {
        long window = windowStart(atMicros, windowMicros);
        String key = subject + "|" + window;
        if (reported.get(key) != null) {
            return false;
        }
        reported.put(key, window);
        forgetOldWindows(subject, window);
        return true;
    }

    private void forgetOldWindows(String subject, long newest) {
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, Long> windows = reported.prefixScan(subject + "|", new StringSerializer())) {
            windows.forEachRemaining(entry -> {
                if (entry.value < newest - KEPT_WINDOWS * windowMicros) {
                    old.add(entry.key);
                }
            });
        }
        old.forEach(reported::delete);
    }
}
