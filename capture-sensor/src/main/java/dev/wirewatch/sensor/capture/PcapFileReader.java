package dev.wirewatch.sensor.capture;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Classic pcap files read in Java: the format is a 24-byte file header and 16-byte record headers, and reading it
 * through libpcap costs three JNA calls per frame, which was most of the sensor's time on a file (BENCHMARKS.md).
 * Reads as libpcap does: either byte order, micro- or nanosecond timestamps, and a record that claims more than
 * libpcap would accept, or is cut short by the end of the file, ends the reading with a message that names its byte
 * offset. Frames have no interface name: the format has none.
 */
final class PcapFileReader extends CaptureReader {
    static final int MAGIC_MICROS = 0xa1b2c3d4;
    static final int MAGIC_NANOS = 0xa1b23c4d;
    /** libpcap refuses records larger than this (MAXIMUM_SNAPLEN, whatever the file's own snaplen says). */
    static final int MAX_RECORD_BYTES = 262_144;
    private static final int FILE_HEADER_BYTES = 24;
    private static final int RECORD_HEADER_BYTES = 16;
    /** The link-type field's upper bits carry FCS details; the type is the low 26 bits (LT_LINKTYPE). */
    private static final int LINKTYPE_MASK = 0x03ff_ffff;

    private boolean nanos;
    private int linkType;

    private PcapFileReader(Path path) {
        super(path);
    }

    /** Opens a file whose magic number the caller has checked to be classic pcap. */
    static PcapFileReader open(Path path) {
        return start(new PcapFileReader(path));
    }

    @Override
    void header() throws IOException, Damaged {
        if (!fill(FILE_HEADER_BYTES)) {
            throw new Damaged("pcap file header truncated at offset " + buffer.remaining());
        }
        int magic = buffer.order(ByteOrder.BIG_ENDIAN).getInt(buffer.position());
        if (magic != MAGIC_MICROS && magic != MAGIC_NANOS) {
            buffer.order(ByteOrder.LITTLE_ENDIAN);
            magic = buffer.getInt(buffer.position());
        }
        nanos = magic == MAGIC_NANOS;
        linkType = buffer.getInt(buffer.position() + 20) & LINKTYPE_MASK;
        consume(FILE_HEADER_BYTES);
    }

    @Override
    CapturedFrame read() throws IOException, Damaged {
        if (!fill(RECORD_HEADER_BYTES)) {
            if (buffer.hasRemaining()) {
                throw new Damaged("record header cut short by the end of the file");
            }
            return null;
        }
        int at = buffer.position();
        long seconds = buffer.getInt(at) & 0xffff_ffffL;
        long fraction = buffer.getInt(at + 4) & 0xffff_ffffL;
        int included = buffer.getInt(at + 8);
        int original = buffer.getInt(at + 12);
        if (included < 0 || included > MAX_RECORD_BYTES) {
            throw new Damaged(String.format("captured length %d is larger than the maximum of %d",
                    included & 0xffff_ffffL, MAX_RECORD_BYTES));
        }
        if (!fill(RECORD_HEADER_BYTES + included)) {
            throw new Damaged(String.format("record of %d bytes cut short by the end of the file after %d",
                    included, buffer.remaining() - RECORD_HEADER_BYTES));
        }
        byte[] data = new byte[included];
        buffer.get(buffer.position() + RECORD_HEADER_BYTES, data); // fill() may have moved the record
        consume(RECORD_HEADER_BYTES + included);
        long micros = seconds * 1_000_000 + (nanos ? fraction / 1000 : fraction);
        return new CapturedFrame(micros, linkType, "", data, original);
    }
}
