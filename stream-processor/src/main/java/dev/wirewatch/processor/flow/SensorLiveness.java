package dev.wirewatch.processor.flow;

import java.nio.ByteBuffer;

/**
 * What the ticks of one sensor say: how far its capture time has got, and whether its input ended
 * (a file fully read). A sensor's silence counts as evidence only up to {@code lastTickMicros}.
 */
public record SensorLiveness(long lastTickMicros, boolean ended) {
    public static final SensorLiveness NEVER_SEEN = new SensorLiveness(Long.MIN_VALUE, false);

    /** The sensor reported capture time at or beyond {@code micros}. */
    public boolean coveredUntil(long micros) {
        return lastTickMicros >= micros;
    }

    public byte[] toBytes() {
        return ByteBuffer.allocate(9).putLong(lastTickMicros).put((byte) (ended ? 1 : 0)).array();
    }

    public static SensorLiveness fromBytes(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        return new SensorLiveness(buffer.getLong(), buffer.get() != 0);
    }
}
