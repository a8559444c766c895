package dev.wirewatch.sensor.decode;

import java.util.Arrays;

/** Big-endian reads; callers check bounds first (tcpdump style), so these never throw on valid indexes. */
final class Bytes {
    private Bytes() {}

    static int u8(byte[] data, int offset) {
        return data[offset] & 0xff;
    }

    static int u16(byte[] data, int offset) {
        return ((data[offset] & 0xff) << 8) | (data[offset + 1] & 0xff);
    }

    static long u32(byte[] data, int offset) {
        return ((long) (data[offset] & 0xff) << 24) | ((data[offset + 1] & 0xff) << 16)
                | ((data[offset + 2] & 0xff) << 8) | (data[offset + 3] & 0xff);
    }

    static byte[] copy(byte[] data, int offset, int length) {
        return Arrays.copyOfRange(data, offset, offset + length);
    }
}
