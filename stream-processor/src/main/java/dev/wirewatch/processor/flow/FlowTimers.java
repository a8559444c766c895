package dev.wirewatch.processor.flow;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The flow stage's timer index: one entry per flow, keyed by its next deadline and then its flow key, so that a
 * range read finds the due flows in time order and an idle flow costs nothing until its deadline. Idle
 * connections' deadlines are their last packet plus the idle timeout, so the entries after the near future are
 * also the connections in order of how long they have been idle.
 */
final class FlowTimers {
    /** A due timer: the flow it belongs to and the time it was armed for. */
    record Due(Bytes flowKey, long atMicros) {}

    private final KeyValueStore<Bytes, byte[]> store;
    /**
     * Timers in the store: counted once when the task opens, then kept by arm and disarm (the flow stage arms a
     * flow's timer only after disarming the one it had), so /metrics reads it from another thread for free.
     */
    private final AtomicLong armed;

    FlowTimers(KeyValueStore<Bytes, byte[]> store) {
        this.store = store;
        this.armed = new AtomicLong(count());
    }

    void arm(long atMicros, Bytes flowKey) {
        store.put(key(atMicros, flowKey.get()), new byte[0]);
        armed.incrementAndGet();
    }

    void disarm(long atMicros, Bytes flowKey) {
        store.delete(key(atMicros, flowKey.get()));
        armed.decrementAndGet();
    }

    /** Timers waiting to fire: one per flow in the store. */
    long armed() {
        return armed.get();
    }

    /** Removes and returns the timers due at or before {@code nowMicros}, earliest first. */
    List<Due> takeDue(long nowMicros) {
        List<Due> due = read(null, key(nowMicros + 1, new byte[0]), Integer.MAX_VALUE);
        for (Due timer : due) {
            disarm(timer.atMicros(), timer.flowKey());
        }
        return due;
    }

    /**
     * Up to {@code limit} flows whose deadline is at or after {@code fromMicros}, earliest first: past the near
     * future, these are the longest-idle connections.
     */
    List<Due> from(long fromMicros, int limit) {
        return read(key(fromMicros, new byte[0]), null, limit);
    }

    /** Timers in the store, counted one by one. */
    private long count() {
        long count = 0;
        try (KeyValueIterator<Bytes, byte[]> iterator = store.all()) {
            while (iterator.hasNext()) {
                iterator.next();
                count++;
            }
        }
        return count;
    }

    private List<Due> read(Bytes from, Bytes to, int limit) {
        List<Due> timers = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> iterator = store.range(from, to)) {
            while (iterator.hasNext() && timers.size() < limit) {
                byte[] bytes = iterator.next().key.get();
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                long at = buffer.getLong() ^ Long.MIN_VALUE;
                byte[] flowKey = new byte[bytes.length - Long.BYTES];
                buffer.get(flowKey);
                timers.add(new Due(Bytes.wrap(flowKey), at));
            }
        }
        return timers;
    }

    /** Deadline first, big-endian with the sign bit flipped, so byte order is time order. */
    private static Bytes key(long deadlineMicros, byte[] flowKey) {
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES + flowKey.length)
                .putLong(deadlineMicros ^ Long.MIN_VALUE).put(flowKey).array());
    }
}
