package dev.wirewatch.schemas;

import org.apache.kafka.common.errors.SerializationException;

/** Bytes that are not a wirewatch record: wrong header, unknown schema, or corrupt body. */
public final class RecordDecodeException extends SerializationException {
    public RecordDecodeException(String message) {
        super(message);
    }

    public RecordDecodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
