package dev.wirewatch.sensor.capture;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pcap or pcapng file, read in Java ({@link PcapFileReader}, {@link PcapngFileReader}): reading a file needs no
 * libpcap, only live capture does. The magic number is checked here first so that a file that is not a capture gives
 * one clear message; a damaged record ends the reading with the frames before it kept, and is logged once. Each frame
 * carries its own link type and interface name: in pcapng they may differ from interface to interface.
 */
public final class CaptureFile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureFile.class);

    private final CaptureReader reader;
    private boolean damageLogged;

    private CaptureFile(CaptureReader reader) {
        this.reader = reader;
    }

    public static CaptureFile open(Path path) {
        return new CaptureFile(isPcapng(path) ? PcapngFileReader.open(path) : PcapFileReader.open(path));
    }

    /** Checks the magic number: true for pcapng, false for classic pcap, an error for anything else. */
    private static boolean isPcapng(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new CaptureFileException(path + ": no such file");
        }
        byte[] head = new byte[4];
        int read;
        try (InputStream in = Files.newInputStream(path)) {
            read = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new CaptureFileException(path + ": cannot read: " + e.getMessage(), e);
        }
        if (read < 4) {
            throw new CaptureFileException(path + ": not a capture file: only " + read + " bytes");
        }
        int big = ((head[0] & 0xff) << 24) | ((head[1] & 0xff) << 16) | ((head[2] & 0xff) << 8) | (head[3] & 0xff);
        int little = Integer.reverseBytes(big);
        if (big == PcapngFileReader.SECTION_HEADER) {
            return true;
        }
        if (big == PcapFileReader.MAGIC_MICROS || little == PcapFileReader.MAGIC_MICROS
                || big == PcapFileReader.MAGIC_NANOS || little == PcapFileReader.MAGIC_NANOS) {
            return false;
        }
        throw new CaptureFileException(String.format("%s: not a pcap or pcapng file (magic 0x%08x at offset 0)", path, big));
    }

    /** The next frame, or null at the end of the file (or at a damaged record, which is logged). */
    public CapturedFrame next() {
        CapturedFrame frame = reader.next();
        if (frame == null && reader.damage() != null && !damageLogged) {
            damageLogged = true;
            LOG.warn(reader.damage());
        }
        return frame;
    }

    /** What stopped the reading before the end of the file, with the byte offset; empty when nothing did (yet). */
    public Optional<String> damage() {
        return Optional.ofNullable(reader.damage());
    }

    public long framesRead() {
        return reader.frames();
    }

    @Override
    public void close() {
        reader.close();
    }
}
