package dev.wirewatch.processor.flow;

import dev.wirewatch.record.Tick;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Every sensor's ticks as this partition has seen them (ticks go to every partition): how far each sensor's capture
 * time has got and whether its input ended. The flow stage records them; the stages after it only read.
 */
public final class SensorTicks {
    private final KeyValueStore<String, byte[]> store;

    public SensorTicks(KeyValueStore<String, byte[]> store) {
        this.store = store;
    }

    void record(Tick tick) {
        store.put(tick.getHost(), liveness(tick.getHost()).next(tick).toBytes());
    }

    public SensorLiveness liveness(String host) {
        byte[] stored = store.get(host);
        return stored == null ? SensorLiveness.NEVER_SEEN : SensorLiveness.fromBytes(stored);
    }

    /** Every sensor that ticked so far, with what its ticks say. */
    public Map<String, SensorLiveness> all() {
        Map<String, SensorLiveness> all = new TreeMap<>();
        try (KeyValueIterator<String, byte[]> iterator = store.all()) {
            iterator.forEachRemaining(entry -> all.put(entry.key, SensorLiveness.fromBytes(entry.value)));
        }
        return all;
    }

    /** Every sensor seen so far has ended its input (files fully replayed). */
    public boolean everyEnded() {
        try (KeyValueIterator<String, byte[]> iterator = store.all()) {
            while (iterator.hasNext()) {
                if (!SensorLiveness.fromBytes(iterator.next().value).ended()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The last capture time any sensor reported ({@link Absent#NONE}: none has). */
    public long captureEnd() {
        long end = Absent.NONE;
        try (KeyValueIterator<String, byte[]> iterator = store.all()) {
            while (iterator.hasNext()) {
                end = Math.max(end, SensorLiveness.fromBytes(iterator.next().value).lastTickMicros());
            }
        }
        return end;
    }

    /**
     * Where a restarted stage's packet clock resumes (ms; -1: no sensor ticked yet): the last capture time any sensor
     * reported, kept in this store with the committed offsets, so a restart judges from where its predecessor left.
     */
    public long resumeClockMs() {
        long end = captureEnd();
        return end == Absent.NONE ? -1 : end / 1000;
    }

    /** The earliest first tick of any sensor ({@link Absent#NONE}: none ticked, or stores kept no first ticks). */
    public long firstHeardMicros() {
        long first = Absent.NONE;
        try (KeyValueIterator<String, byte[]> iterator = store.all()) {
            while (iterator.hasNext()) {
                long since = SensorLiveness.fromBytes(iterator.next().value).firstTickMicros();
                first = first == Absent.NONE ? since : since == Absent.NONE ? first : Math.min(first, since);
            }
        }
        return first;
    }
}
