package dev.wirewatch.processor.state;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A key-value store of live objects over a changelogged byte store. A value is decoded when first read and
 * encoded once per commit, not once per record: a flow takes thousands of packets between two commits, and
 * (de)serialising its state for each was most of the processor's time (JFR, BENCHMARKS.md).
 *
 * <p>Values handed out are the stored objects: a caller that changes one must {@code put} it back, which marks it
 * for writing. Dirty values reach the byte store, and with it the changelog inside the running transaction, when
 * Kafka Streams flushes caches before it commits ({@link #flushCache}) — that is why this implements the internal
 * {@link CachedStateStore}: only stores of that kind are flushed before the transaction commits. Values written
 * down stay cached (least recently used first out) so the next commit period reads them without decoding.
 */
public final class WriteBehindStore<V> implements KeyValueStore<Bytes, V>, CachedStateStore<Bytes, V> {
    /** Live objects kept at most; a dirty one pushed out is written down at once (still in the transaction). */
    static final int CAPACITY = 20_000;

    private final KeyValueStore<Bytes, byte[]> bytes;
    private final Function<V, byte[]> encode;
    private final Function<byte[], V> decode;
    private final Set<Bytes> dirty = new HashSet<>();
    private final LinkedHashMap<Bytes, V> live = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Bytes, V> eldest) {
            if (size() <= CAPACITY) {
                return false;
            }
            if (dirty.remove(eldest.getKey())) {
                bytes.put(eldest.getKey(), encode.apply(eldest.getValue()));
            }
            return true;
        }
    };

    private WriteBehindStore(KeyValueStore<Bytes, byte[]> bytes, Function<V, byte[]> encode,
                             Function<byte[], V> decode) {
        this.bytes = bytes;
        this.encode = encode;
        this.decode = decode;
    }

    /** A builder for the topology: the byte store underneath is persistent, changelogged and not cached. */
    public static <V> StoreBuilder<WriteBehindStore<V>> builder(StoreBuilder<KeyValueStore<Bytes, byte[]>> bytes,
                                                               Function<V, byte[]> encode,
                                                               Function<byte[], V> decode) {
        return new Builder<>(bytes.withCachingDisabled(), encode, decode);
    }

    @Override
    public V get(Bytes key) {
        V value = live.get(key);
        if (value == null) {
            byte[] stored = bytes.get(key);
            if (stored != null) {
                value = decode.apply(stored);
                live.put(key, value);
            }
        }
        return value;
    }

    @Override
    public void put(Bytes key, V value) {
        if (value == null) {
            delete(key);
            return;
        }
        live.put(key, value);
        dirty.add(key);
    }

    @Override
    public V putIfAbsent(Bytes key, V value) {
        V present = get(key);
        if (present == null) {
            put(key, value);
        }
        return present;
    }

    @Override
    public void putAll(List<KeyValue<Bytes, V>> entries) {
        entries.forEach(entry -> put(entry.key, entry.value));
    }

    @Override
    public V delete(Bytes key) {
        V previous = get(key);
        live.remove(key);
        dirty.remove(key);
        bytes.delete(key);
        return previous;
    }

    /** Scans see every write: dirty values are written down first. */
    @Override
    public KeyValueIterator<Bytes, V> range(Bytes from, Bytes to) {
        writeDirty();
        return new Decoding(bytes.range(from, to));
    }

    @Override
    public KeyValueIterator<Bytes, V> all() {
        writeDirty();
        return new Decoding(bytes.all());
    }

    @Override
    public long approximateNumEntries() {
        return bytes.approximateNumEntries() + dirty.size();
    }

    @Override
    public void flushCache() {
        writeDirty();
        if (bytes instanceof CachedStateStore<?, ?> cached) {
            cached.flushCache();
        }
    }

    @Override
    public void clearCache() {
        discardLive();
        if (bytes instanceof CachedStateStore<?, ?> cached) {
            cached.clearCache();
        }
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<Bytes, V> listener, boolean sendOldValues) {
        return false; // nothing downstream listens to this store
    }

    @Override
    public void flush() {
        writeDirty();
        bytes.flush();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        writeDirty();
        bytes.commit(changelogOffsets);
    }

    @Override
    public Long committedOffset(TopicPartition partition) {
        return bytes.committedOffset(partition);
    }

    @Override
    public boolean managesOffsets() {
        return bytes.managesOffsets();
    }

    @Override
    public long approximateNumUncommittedBytes() {
        return bytes.approximateNumUncommittedBytes();
    }

    @Override
    public Position getPosition() {
        return bytes.getPosition();
    }

    @Override
    public String name() {
        return bytes.name();
    }

    /** The byte store registers this store as its root, so Kafka Streams flushes and closes through here. */
    @Override
    public void init(StateStoreContext context, StateStore root) {
        discardLive();
        bytes.init(context, root);
    }

    @Override
    public void close() {
        discardLive();
        bytes.close();
    }

    @Override
    public boolean persistent() {
        return bytes.persistent();
    }

    @Override
    public boolean isOpen() {
        return bytes.isOpen();
    }

    private void writeDirty() {
        for (Bytes key : dirty) {
            bytes.put(key, encode.apply(live.get(key)));
        }
        dirty.clear();
    }

    /** After a failed transaction the live objects may hold uncommitted changes: forget them all. */
    private void discardLive() {
        live.clear();
        dirty.clear();
    }

    private final class Decoding implements KeyValueIterator<Bytes, V> {
        private final KeyValueIterator<Bytes, byte[]> stored;

        Decoding(KeyValueIterator<Bytes, byte[]> stored) {
            this.stored = stored;
        }

        @Override
        public boolean hasNext() {
            return stored.hasNext();
        }

        @Override
        public KeyValue<Bytes, V> next() {
            KeyValue<Bytes, byte[]> next = stored.next();
            V value = live.get(next.key);
            return KeyValue.pair(next.key, value != null ? value : decode.apply(next.value));
        }

        @Override
        public Bytes peekNextKey() {
            return stored.peekNextKey();
        }

        @Override
        public void close() {
            stored.close();
        }
    }

    private record Builder<V>(StoreBuilder<KeyValueStore<Bytes, byte[]>> bytes, Function<V, byte[]> encode,
                              Function<byte[], V> decode) implements StoreBuilder<WriteBehindStore<V>> {
        @Override
        public StoreBuilder<WriteBehindStore<V>> withCachingEnabled() {
            return this; // a write-behind store is its own cache: the byte store underneath stays uncached
        }

        @Override
        public StoreBuilder<WriteBehindStore<V>> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<WriteBehindStore<V>> withLoggingEnabled(Map<String, String> config) {
            return new Builder<>(bytes.withLoggingEnabled(config), encode, decode);
        }

        @Override
        public StoreBuilder<WriteBehindStore<V>> withLoggingDisabled() {
            return new Builder<>(bytes.withLoggingDisabled(), encode, decode);
        }

        @Override
        public WriteBehindStore<V> build() {
            return new WriteBehindStore<>(bytes.build(), encode, decode);
        }

        @Override
        public Map<String, String> logConfig() {
            return bytes.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return bytes.loggingEnabled();
        }

        @Override
        public String name() {
            return bytes.name();
        }
    }
}
