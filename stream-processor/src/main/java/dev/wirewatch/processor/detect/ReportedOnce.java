package dev.wirewatch.processor.detect;

import org.apache.kafka.streams.state.KeyValueStore;

/** Remembers when a finding was last reported, so that a subject is reported at most once per repeat interval. */
final class ReportedOnce {
    private final KeyValueStore<String, Long> reported;
    private final long repeatMicros;

    ReportedOnce(KeyValueStore<String, Long> reported, long repeatMicros) {
        this.reported = reported;
        this.repeatMicros = repeatMicros;
    }

    /** True, and remembered, when {@code subject} was not reported in the interval before {@code atMicros}. */
    boolean firstSince(String subject, long atMicros) {
        Long last = reported.get(subject);
        if (last != null && atMicros < last + repeatMicros && atMicros >= last) {
            return false;
        }
        reported.put(subject, atMicros);
        return true;
    }
}
