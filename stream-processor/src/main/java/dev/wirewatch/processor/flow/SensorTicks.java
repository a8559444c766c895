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
}
