package dev.wirewatch.sink;

import dev.wirewatch.record.Alert;
import dev.wirewatch.schemas.RecordCodec;
import dev.wirewatch.schemas.RecordDecodeException;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a record on the alert topic must be to count as an alert: a key (the processor keys every alert by its id) and
 * a value that decodes as an Alert. Anything else — a tombstone, a record without key, another record type, JSON text,
 * garbage of any size — is rejected with the reason, never thrown past the sink's loop.
 */
public final class AlertRecords {
    private AlertRecords() {}

    /** The alert a record holds; {@link RecordDecodeException} with the reason when it holds none. */
    public static Alert decode(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            throw new RecordDecodeException("a tombstone (no value)");
        }
        if (record.key() == null) {
            throw new RecordDecodeException("no key (the processor keys every alert by its id)");
        }
        try {
            return RecordCodec.shared().decode(record.value(), Alert.class);
        } catch (RecordDecodeException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new RecordDecodeException("not an Alert: " + e);
        }
    }
}
