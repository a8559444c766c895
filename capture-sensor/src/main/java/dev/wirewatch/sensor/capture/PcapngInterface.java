package dev.wirewatch.sensor.capture;

import dev.wirewatch.sensor.capture.CaptureReader.Damaged;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What a pcapng Interface Description Block says about its packets: their link type, the interface's name ("" when
 * the block has no if_name), its snapshot length (0: none) and how its timestamps count.
 */
record PcapngInterface(int linkType, String name, int snapLength, Clock clock) {
    private static final int OPT_END = 0;
    private static final int IF_NAME = 2;
    private static final int IF_TSRESOL = 9;
    private static final int IF_TSOFFSET = 14;
    /** Link type, reserved, snapshot length: the body before the options. */
    private static final int FIXED_BYTES = 8;

    /**
     * Timestamps are ticks of 10^-exponent seconds, or 2^-exponent when {@code binary} (if_tsresol; microseconds
     * without it), counted from {@code offsetSeconds} after the epoch (if_tsoffset).
     */
    record Clock(boolean binary, int exponent, long offsetSeconds) {
        static final Clock MICROS = new Clock(false, 6, 0);
        private static final long[] POWERS_OF_TEN = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L,
                10_000_000L, 100_000_000L, 1_000_000_000L, 10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L,
                10_000_000_000_000L};

        /** Microseconds since the epoch, rounded down as libpcap and tshark do. */
        long micros(long ticks) {
            long micros;
            if (binary) {
                long fraction = ticks & ((1L << exponent) - 1);
                // fraction × 10^6 needs up to 84 bits when ticks are 2^-63 s, so the product is taken in 128
                long low = fraction * 1_000_000;
                long fractionMicros = exponent == 0 ? 0
                        : (Math.multiplyHigh(fraction, 1_000_000) << (64 - exponent)) | (low >>> exponent);
                micros = (ticks >>> exponent) * 1_000_000 + fractionMicros;
            } else if (exponent >= 6) {
                micros = Long.divideUnsigned(ticks, POWERS_OF_TEN[exponent - 6]);
            } else {
                micros = ticks * POWERS_OF_TEN[6 - exponent];
            }
            return micros + offsetSeconds * 1_000_000;
        }

        /** From the if_tsresol byte: the high bit chooses powers of two, the rest is the exponent. */
        static Clock of(byte tsresol, long offsetSeconds) throws Damaged {
            boolean binary = (tsresol & 0x80) != 0;
            int exponent = tsresol & 0x7f;
            // Beyond these a second has more ticks than 64 bits count (tshark's limits too).
            if (binary ? exponent > 63 : exponent > 19) {
                throw new Damaged(String.format("interface timestamp resolution 0x%02x is finer than 64 bits count",
                        tsresol & 0xff));
            }
            return new Clock(binary, exponent, offsetSeconds);
        }
    }

    /** Reads the block whose body (after type and length) runs from {@code body} to {@code end} in the buffer. */
    static PcapngInterface parse(ByteBuffer buffer, int body, int end) throws Damaged {
        if (end - body < FIXED_BYTES) {
            throw new Damaged("interface description block of " + (end - body + 12) + " bytes is shorter than 20");
        }
        int linkType = buffer.getShort(body) & 0xffff;
        int snapLength = buffer.getInt(body + 4);
        String name = "";
        byte tsresol = (byte) 6;
        long tsoffset = 0;
        int at = body + FIXED_BYTES;
        while (at + 4 <= end) {
            int code = buffer.getShort(at) & 0xffff;
            int length = buffer.getShort(at + 2) & 0xffff;
            if (code == OPT_END) {
                break;
            }
            if (at + 4 + length > end) {
                throw new Damaged("interface option " + code + " of " + length + " bytes runs past its block");
            }
            if (code == IF_NAME) {
                name = text(buffer, at + 4, length);
            } else if (code == IF_TSRESOL && length == 1) {
                tsresol = buffer.get(at + 4);
            } else if (code == IF_TSOFFSET && length == 8) {
                tsoffset = buffer.getLong(at + 4);
            }
            at += 4 + ((length + 3) & ~3);
        }
        return new PcapngInterface(linkType, name, snapLength, Clock.of(tsresol, tsoffset));
    }

    /** UTF-8; some writers end it with a NUL, which is not part of the name. */
    private static String text(ByteBuffer buffer, int at, int length) {
        byte[] bytes = new byte[length];
        buffer.get(at, bytes);
        String text = new String(bytes, StandardCharsets.UTF_8);
        int nul = text.indexOf('\0');
        return nul < 0 ? text : text.substring(0, nul);
    }
}
