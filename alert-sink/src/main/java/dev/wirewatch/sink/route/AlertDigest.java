package dev.wirewatch.sink.route;

import dev.wirewatch.record.Alert;
import dev.wirewatch.schemas.RecordCodec;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * What an alert says, as a number: SHA-256 of its encoding (every field of an Alert is content — the record holds no
 * delivery bookkeeping), cut to 64 bits. Equal for a re-sent record, different for a refined finding.
 */
public final class AlertDigest {
    private AlertDigest() {}

    public static long of(Alert alert) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(RecordCodec.shared().encode(alert));
            return ByteBuffer.wrap(hash).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
