package dev.wirewatch.processor.alert;

import dev.wirewatch.record.Alert;
import dev.wirewatch.schemas.RecordCodec;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The last step before ww.alerts: one id, one finding, numbered. The first alert of an id goes out as revision 1; one
 * that differs from the last sent for its id (a refinement: count, cause, accepting ports) as the next revision; one
 * identical to the last sent is not sent again. Each id comes from one task (its subject fixes the partition), so a
 * store per task knows every alert of its ids; an id is forgotten a day of capture time after its last alert.
 */
public final class AlertRevisions implements Processor<String, Alert, String, Alert> {
    static final long RETENTION_MICROS = Duration.ofDays(1).toNanos() / 1000;
    private static final RecordCodec CODEC = RecordCodec.shared();

    private final String storeName;
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, byte[]> sent;

    public AlertRevisions(String storeName) {
        this.storeName = storeName;
    }

    /** The store of one sub-topology's revision steps: id to the last revision sent, its digest and last-seen time. */
    public static StoreBuilder<KeyValueStore<String, byte[]>> store(String name) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.ByteArray());
    }

    /** What is remembered of an id: the revision last sent, a digest of its content, its finding's last packet. */
    record Sent(int revision, long digest, long lastSeenMicros) {
        byte[] encode() {
            return ByteBuffer.allocate(20).putInt(revision).putLong(digest).putLong(lastSeenMicros).array();
        }

        static Sent decode(byte[] bytes) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            return new Sent(buffer.getInt(), buffer.getLong(), buffer.getLong());
        }
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.sent = context.getStateStore(storeName);
        context.schedule(Duration.ofMinutes(10), PunctuationType.STREAM_TIME, this::forgetOld);
    }

    @Override
    public void process(Record<String, Alert> record) {
        Alert alert = record.value();
        if (alert == null) {
            return;
        }
        long digest = digest(alert);
        byte[] stored = sent.get(alert.getId());
        Sent last = stored == null ? null : Sent.decode(stored);
        if (last != null && last.digest() == digest) {
            return; // the same finding as last sent, nothing new: not an update
        }
        int revision = last == null ? 1 : last.revision() + 1;
        long lastSeen = Math.max(alert.getLastSeenMicros(), last == null ? Long.MIN_VALUE : last.lastSeenMicros());
        sent.put(alert.getId(), new Sent(revision, digest, lastSeen).encode());
        context.forward(record.withValue(Alert.newBuilder(alert).setRevision(revision).build()));
    }

    /** The alert's content with its revision left out: what tells a refinement from a repeat. */
    static long digest(Alert alert) {
        byte[] bytes = CODEC.encode(Alert.newBuilder(alert).setRevision(1).build());
        try {
            return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(bytes)).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    private void forgetOld(long streamTimeMs) {
        long horizon = streamTimeMs * 1000 - RETENTION_MICROS;
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = sent.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> entry = all.next();
                if (Sent.decode(entry.value).lastSeenMicros() < horizon) {
                    old.add(entry.key);
                }
            }
        }
        old.forEach(sent::delete);
    }
}
