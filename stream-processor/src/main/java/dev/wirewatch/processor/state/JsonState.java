package dev.wirewatch.processor.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Detectors' and stages' per-key state in their stores: records as JSON, readable when the records grow. */
public final class JsonState {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonState() {}

    public static byte[] encode(Object state) {
        try {
            return JSON.writeValueAsBytes(state);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot store " + state.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    public static <T> T decode(byte[] bytes, Class<T> type) {
        try {
            return JSON.readValue(bytes, type);
        } catch (IOException e) {
            throw new UncheckedIOException("stored " + type.getSimpleName() + " unreadable: " + e.getMessage(), e);
        }
    }
}
