package dev.wirewatch.processor.flow;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Reads what {@link VarintWriter} wrote; every read is bounds-checked, and garbage fails with what was wrong. */
final class VarintReader {
    private final byte[] bytes;
    private int at;

    VarintReader(byte[] bytes, int from) {
        this.bytes = bytes;
        this.at = from;
    }

    long unsigned() {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = next();
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw corrupt("a varint longer than 10 bytes");
    }

    /** An int written with {@link VarintWriter#unsigned} (a negative one was sign-extended to 64 bits). */
    int unsignedInt() {
        return (int) unsigned();
    }

    long signed() {
        long zigzag = unsigned();
        return (zigzag >>> 1) ^ -(zigzag & 1);
    }

    long fixed(int count) {
        long value = 0;
        for (int i = 0; i < count; i++) {
            value = value << 8 | next();
        }
        return value;
    }

    byte[] bytes(int count) {
        if (count < 0 || count > bytes.length - at) {
            throw corrupt(count + " bytes wanted, " + (bytes.length - at) + " left");
        }
        at += count;
        return Arrays.copyOfRange(bytes, at - count, at);
    }

    String string() {
        long length = unsigned();
        if (length > bytes.length - at) {
            throw corrupt("a string of " + length + " bytes, " + (bytes.length - at) + " left");
        }
        return new String(bytes((int) length), StandardCharsets.UTF_8);
    }

    /** Everything was read: bytes left over mean the layout was not the one assumed. */
    void expectEnd() {
        if (at != bytes.length) {
            throw corrupt((bytes.length - at) + " bytes left over");
        }
    }

    private int next() {
        if (at >= bytes.length) {
            throw corrupt("truncated");
        }
        return bytes[at++] & 0xff;
    }

    private IllegalStateException corrupt(String what) {
        return new IllegalStateException("flow state is corrupt at byte " + at + " of " + bytes.length + ": " + what);
    }
}
