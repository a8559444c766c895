package dev.wirewatch.sensor.capture;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where in a pcapng file its n-th packet record starts, walked from the block headers alone. libpcap says
 * what is wrong with a damaged record but not where it is; this finds the byte offset for the message. Only
 * used after an error, so it reads the file again rather than tracking offsets on the hot path.
 */
final class RecordOffsets {
    private static final int PCAPNG_SECTION = 0x0a0d0d0a;
    private static final int PCAPNG_BYTE_ORDER = 0x1a2b3c4d;
    private static final int PCAPNG_OBSOLETE_PACKET = 2;
    private static final int PCAPNG_SIMPLE_PACKET = 3;
    private static final int PCAPNG_ENHANCED_PACKET = 6;

    private RecordOffsets() {}

    /** The offset of packet record {@code index} (0-based), or of the end of the file if it has fewer. */
    static long offsetOf(Path file, long index) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            in.readInt(); // the section header's type, checked when the file was opened
            return pcapng(in, index);
        }
    }

    private static long pcapng(DataInputStream in, long index) throws IOException {
        long offset = 0;
        long packets = 0;
        boolean swapped = false;
        int rawType = PCAPNG_SECTION; // read by the caller; the section magic reads the same in both byte orders
        while (true) {
            try {
                if (offset > 0) {
                    rawType = in.readInt();
                }
                int rawLength = in.readInt();
                int consumed = 8;
                if (rawType == PCAPNG_SECTION) {
                    swapped = in.readInt() != PCAPNG_BYTE_ORDER;
                    consumed += 4;
                }
                int type = order(rawType, swapped);
                int length = order(rawLength, swapped);
                boolean packet = type == PCAPNG_ENHANCED_PACKET || type == PCAPNG_SIMPLE_PACKET
                        || type == PCAPNG_OBSOLETE_PACKET;
                if (length < 12 || (packet && packets == index)) {
                    return offset;
                }
                packets += packet ? 1 : 0;
                in.skipNBytes(length - consumed);
                offset += length;
            } catch (EOFException e) {
                return offset;
            }
        }
    }

    private static int order(int value, boolean swapped) {
        return swapped ? Integer.reverseBytes(value) : value;
    }
}
