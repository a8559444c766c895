package dev.wirewatch.processor.flow;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Bytes written as LEB128 varints (7 bits a byte, small numbers short): {@link #unsigned} for counts, {@link #signed}
 * (zigzag) for deltas that may be negative. The writing half of {@link VarintReader}.
 */
final class VarintWriter {
    private byte[] bytes = new byte[160];
    private int size;

    /** Any 64-bit pattern; a negative value takes 10 bytes. */
    void unsigned(long value) {
        while ((value & ~0x7fL) != 0) {
            put((int) (value & 0x7f) | 0x80);
            value >>>= 7;
        }
        put((int) value);
    }

    /** Zigzag: 0, -1, 1, -2, ... become 0, 1, 2, 3, ..., so a small delta either way is short. */
    void signed(long value) {
        unsigned((value << 1) ^ (value >> 63));
    }

    /** The low {@code count} bytes of {@code value}, big-endian. */
    void fixed(long value, int count) {
        for (int shift = 8 * (count - 1); shift >= 0; shift -= 8) {
            put((int) (value >>> shift) & 0xff);
        }
    }

    void bytes(byte[] value) {
        for (byte b : value) {
            put(b);
        }
    }

    /** Its UTF-8 bytes after their count. */
    void string(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        unsigned(utf8.length);
        bytes(utf8);
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    private void put(int b) {
        if (size == bytes.length) {
            bytes = Arrays.copyOf(bytes, size * 2);
        }
        bytes[size++] = (byte) b;
    }
}
