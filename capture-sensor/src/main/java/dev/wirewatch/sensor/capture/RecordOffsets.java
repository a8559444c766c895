package dev.wirewatch.sensor.capture;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where in a capture file its n-th packet record starts, walked from the record headers alone. libpcap says
 * what is wrong with a damaged record but not where it is; this finds the byte offset for the message. Only
 * used after an error, so it reads the file again rather than tracking offsets on the hot path.
 */
final class RecordOffsets {
    private static final int PCAP_HEADER_BYTES = 24;
    private static final int PCAP_RECORD_HEADER_BYTES = 16;
    private static final int PCAPNG_SECTION = 0x0a0d0d0a;
    private static final int PCAPNG_BYTE_ORDER = 0x1a2b3c4d;
    private static final int PCAPNG_OBSOLETE_PACKET = 2;
    private static final int PCAPNG_SIMPLE_PACKET = 3;
    private static final int PCAPNG_ENHANCED_PACKET = 6;

    private RecordOffsets() {}

    /** The offset of packet record {@code index} (0-based), or of the end of the file if it has fewer. */
    static long offsetOf(Path file, long index) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            int magic = in.readInt();
            return magic == PCAPNG_SECTION ? pcapng(in, index) : pcap(in, magic, index);
        }
    }

    private static long pcap(DataInputStream in, int magic, long index) throws IOException {
        boolean swapped = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
        long offset = PCAP_HEADER_BYTES;
        skip(in, PCAP_HEADER_BYTES - 4);
        for (long record = 0; record < index; record++) {
            try {
                skip(in, 8);
                int included = order(in.readInt(), swapped);
                skip(in, 4);
                if (included < 0) {
                    return offset;
                }
                skip(in, included);
                offset += PCAP_RECORD_HEADER_BYTES + included;
            } catch (EOFException e) {
                return offset;
            }
        }
        return offset;
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

    private static void skip(InputStream in, long bytes) throws IOException {
        in.skipNBytes(bytes);
    }
}
