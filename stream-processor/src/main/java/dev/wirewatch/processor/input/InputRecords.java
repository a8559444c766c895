package dev.wirewatch.processor.input;

import dev.wirewatch.schemas.RecordCodec;
import dev.wirewatch.schemas.RecordDecodeException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * What each topic the processor reads may carry. Every record wirewatch writes has a key and one of the record types
 * its topic is for; anything else — a tombstone, a record without key, another type, JSON text, garbage of any size —
 * is rejected here, so it reaches {@link SkippedInput} (counted, logged once, copied to the dead letters) and never a
 * processor. A new record type on a topic must be added to its source's list.
 */
public final class InputRecords {
    private InputRecords() {}

    /** Keys as they are; a missing key is rejected. */
    public static Deserializer<byte[]> requiredKey() {
        return (topic, bytes) -> {
            if (bytes == null) {
                throw new RecordDecodeException("no key (every wirewatch record has one)");
            }
            return bytes;
        };
    }

    /** Records of the {@code accepted} types; a tombstone, anything undecodable and any other type are rejected. */
    @SafeVarargs
    public static Deserializer<SpecificRecord> oneOf(Class<? extends SpecificRecord>... accepted) {
        Set<Class<?>> types = Set.of(accepted);
        String names = List.of(accepted).stream().map(Class::getSimpleName).collect(Collectors.joining(", "));
        return (topic, bytes) -> {
            if (bytes == null) {
                throw new RecordDecodeException("a tombstone (no value)");
            }
            SpecificRecord record = RecordCodec.shared().decode(bytes);
            if (!types.contains(record.getClass())) {
                throw new RecordDecodeException("a " + record.getSchema().getName() + ", but " + topic + " carries "
                        + names);
            }
            return record;
        };
    }
}
