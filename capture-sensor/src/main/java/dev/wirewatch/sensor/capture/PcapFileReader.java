package dev.wirewatch.sensor.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Classic pcap files read in Java: the format is a 24-byte file header and 16-byte record headers, and reading it
 * through libpcap costs three JNA calls per frame, which was most of the sensor's time on a file (BENCHMARKS.md).
 * pcapng and live capture stay with libpcap. Reads as libpcap does: either byte order, micro- or nanosecond
 * timestamps, and a record that claims more than libpcap would accept, or is cut short by the end of the file, ends
 * the reading with a message that names its byte offset. Not thread-safe.
 */
final class PcapFileReader implements AutoCloseable {
    static final int MAGIC_MICROS = 0xa1b2c3d4;
    static final int MAGIC_NANOS = 0xa1b23c4d;
    private static final int FILE_HEADER_BYTES = 24;
    private static final int RECORD_HEADER_BYTES = 16;
    /** libpcap refuses records larger than this (MAXIMUM_SNAPLEN, whatever the file's own snaplen says). */
    private static final int MAX_RECORD_BYTES = 262_144;
    /** The link-type field's upper bits carry FCS details; the type is the low 26 bits (LT_LINKTYPE). */
    private static final int LINKTYPE_MASK = 0x03ff_ffff;

    private final Path path;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
    private final boolean nanos;
    private final int linkType;
    private long offset = FILE_HEADER_BYTES;
    private long frames;
    private boolean endOfFile;
    private String damage;

    private PcapFileReader(Path path, FileChannel channel) throws IOException {
        this.path = path;
        this.channel = channel;
        buffer.limit(0); // nothing read yet
        fill(FILE_HEADER_BYTES);
        if (buffer.remaining() < FILE_HEADER_BYTES) {
            throw new CaptureFileException(path + ": pcap file header truncated at offset " + buffer.remaining());
        }
        int magic = buffer.order(ByteOrder.BIG_ENDIAN).getInt(buffer.position());
        if (magic != MAGIC_MICROS && magic != MAGIC_NANOS) {
            buffer.order(ByteOrder.LITTLE_ENDIAN);
            magic = buffer.getInt(buffer.position());
        }
        nanos = magic == MAGIC_NANOS;
        linkType = buffer.getInt(buffer.position() + 20) & LINKTYPE_MASK;
        buffer.position(buffer.position() + FILE_HEADER_BYTES);
    }

    /** Opens a file whose magic number the caller has checked to be classic pcap. */
    static PcapFileReader open(Path path) {
        try {
            return new PcapFileReader(path, FileChannel.open(path, StandardOpenOption.READ));
        } catch (IOException e) {
            throw new CaptureFileException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    int linkType() {
        return linkType;
    }

    /** The next frame, or null at the end of the file or at a damaged record (then {@link #damage()} says where). */
    CapturedFrame next(String iface) {
        if (endOfFile) {
            return null;
        }
        try {
            if (!fill(RECORD_HEADER_BYTES)) {
                return buffer.hasRemaining() ? damaged("record header cut short by the end of the file") : end();
            }
            int at = buffer.position();
            long seconds = buffer.getInt(at) & 0xffff_ffffL;
            long fraction = buffer.getInt(at + 4) & 0xffff_ffffL;
            int included = buffer.getInt(at + 8);
            int original = buffer.getInt(at + 12);
            if (included < 0 || included > MAX_RECORD_BYTES) {
                return damaged(String.format("captured length %d is larger than the maximum of %d",
                        included & 0xffff_ffffL, MAX_RECORD_BYTES));
            }
            if (!fill(RECORD_HEADER_BYTES + included)) {
                return damaged(String.format("record of %d bytes cut short by the end of the file after %d",
                        included, buffer.remaining() - RECORD_HEADER_BYTES));
            }
            byte[] data = new byte[included];
            buffer.position(buffer.position() + RECORD_HEADER_BYTES); // fill() may have moved the record
            buffer.get(data);
            offset += RECORD_HEADER_BYTES + included;
            frames++;
            long micros = seconds * 1_000_000 + (nanos ? fraction / 1000 : fraction);
            return new CapturedFrame(micros, linkType, iface, data, original);
        } catch (IOException e) {
            return damaged("read error: " + e.getMessage());
        }
    }

    /** Makes at least {@code bytes} readable from the buffer's position; false if the file ends before. */
    private boolean fill(int bytes) throws IOException {
        if (buffer.remaining() >= bytes) {
            return true;
        }
        buffer.compact();
        while (buffer.position() < bytes) {
            if (channel.read(buffer) < 0) {
                break;
            }
        }
        buffer.flip();
        return buffer.remaining() >= bytes;
    }

    private CapturedFrame damaged(String what) {
        damage = String.format("%s: damaged record at byte offset %d (frame %d): %s; the %d frames before it are kept",
                path, offset, frames + 1, what, frames);
        return end();
    }

    private CapturedFrame end() {
        endOfFile = true;
        return null;
    }

    /** What stopped the reading before the end of the file; null when nothing did. */
    String damage() {
        return damage;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing was written; closing a read channel cannot lose anything
        }
    }
}
