package dev.wirewatch.sensor.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What the pcap and pcapng readers share: the file read through one large buffer (no system call per frame), the
 * byte offset and frame count, and the rule for damage: the first damaged record ends the reading, the frames before
 * it are kept, and {@link #damage()} names its byte offset and frame number. Not thread-safe.
 */
abstract sealed class CaptureReader implements AutoCloseable permits PcapFileReader, PcapngFileReader {
    private static final int BUFFER_BYTES = 1 << 20;

    final Path path;
    private final FileChannel channel;
    /** Replaced by a larger one when a record does not fit; its byte order is the file's (or section's). */
    ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
    private long offset;
    private long frames;
    private boolean ended;
    private String damage;

    CaptureReader(Path path) {
        this.path = path;
        try {
            this.channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CaptureFileException(path + ": cannot read: " + e.getMessage(), e);
        }
        buffer.limit(0); // nothing read yet
    }

    /** What is wrong with a record: ends the reading; the message says what, {@link #damage()} adds where. */
    static final class Damaged extends Exception {
        Damaged(String what) {
            super(what, null, false, false);
        }
    }

    /** Reads the file's header, leaving the buffer at the first record; throws if it is damaged. */
    abstract void header() throws IOException, Damaged;

    /** Opens a reader: a file whose header is damaged is not a capture, so one clear error, and the file closed. */
    static <R extends CaptureReader> R start(R reader) {
        try {
            reader.header();
            return reader;
        } catch (IOException e) {
            reader.close();
            throw new CaptureFileException(reader.path + ": cannot read: " + e.getMessage(), e);
        } catch (Damaged e) {
            reader.close();
            throw new CaptureFileException(reader.path + ": " + e.getMessage());
        }
    }

    /**
     * The next frame, or null at the end of the file; {@link #consume} each record read. Throws at a damaged record,
     * with the buffer still at its start so that the offset names it.
     */
    abstract CapturedFrame read() throws IOException, Damaged;

    /** The next frame, or null at the end of the file or at a damaged record (then {@link #damage()} says where). */
    final CapturedFrame next() {
        if (ended) {
            return null;
        }
        try {
            CapturedFrame frame = read();
            if (frame == null) {
                ended = true;
            } else {
                frames++;
            }
            return frame;
        } catch (Damaged e) {
            return damaged(e.getMessage());
        } catch (IOException e) {
            return damaged("read error: " + e.getMessage());
        }
    }

    private CapturedFrame damaged(String what) {
        damage = String.format("%s: damaged record at byte offset %d (frame %d): %s; the %d frames before it are kept",
                path, offset, frames + 1, what, frames);
        ended = true;
        return null;
    }

    /** Frames read so far. */
    final long frames() {
        return frames;
    }

    /** What stopped the reading before the end of the file; null when nothing did. */
    final String damage() {
        return damage;
    }

    /** Makes at least {@code bytes} readable from the buffer's position; false if the file ends before. */
    final boolean fill(int bytes) throws IOException {
        if (buffer.remaining() >= bytes) {
            return true;
        }
        if (bytes > buffer.capacity()) { // a block larger than the buffer: rare, so grow rather than stream it
            buffer = ByteBuffer.allocate(Integer.highestOneBit(bytes - 1) << 1).order(buffer.order()).put(buffer);
        } else {
            buffer.compact();
        }
        while (buffer.position() < bytes) {
            if (channel.read(buffer) < 0) {
                break;
            }
        }
        buffer.flip();
        return buffer.remaining() >= bytes;
    }

    /** Moves past a record of {@code bytes} that {@link #fill} made readable. */
    final void consume(int bytes) {
        buffer.position(buffer.position() + bytes);
        offset += bytes;
    }

    @Override
    public final void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing was written; closing a read channel cannot lose anything
        }
    }
}
