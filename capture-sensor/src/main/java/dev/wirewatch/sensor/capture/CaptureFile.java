package dev.wirewatch.sensor.capture;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pcap or pcapng file read through libpcap (pcap4j's raw path: no packet objects). The header is checked
 * here first so that a file that is not a capture gives one clear message instead of libpcap's; a damaged
 * record ends the reading with the frames before it kept, and is logged once.
 */
public final class CaptureFile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureFile.class);
    private static final int PCAP_MICROS = 0xa1b2c3d4;
    private static final int PCAP_NANOS = 0xa1b23c4d;
    private static final int PCAPNG_SECTION = 0x0a0d0d0a;

    static {
        LibpcapLocator.configure();
    }

    private final Path path;
    private final PcapHandle handle;
    private final int linkType;
    private final String iface;
    private long framesRead;
    private boolean ended;
    private String damage;

    private CaptureFile(Path path, PcapHandle handle, String iface) {
        this.path = path;
        this.handle = handle;
        this.linkType = handle.getDlt().value();
        this.iface = iface;
    }

    public static CaptureFile open(Path path) {
        String format = checkHeader(path);
        try {
            PcapHandle handle = Pcaps.openOffline(path.toString(), PcapHandle.TimestampPrecision.MICRO);
            String iface = format.equals("pcapng") ? PcapngInterfaces.singleName(path) : "";
            return new CaptureFile(path, handle, iface);
        } catch (PcapNativeException e) {
            throw new CaptureFileException(path + ": libpcap cannot read it: " + e.getMessage(), e);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new CaptureFileException("libpcap is not installed (apt-get install libpcap0.8): " + e.getMessage(), e);
        }
    }

    /** Checks the magic number; returns "pcap" or "pcapng". */
    private static String checkHeader(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new CaptureFileException(path + ": no such file");
        }
        byte[] head = new byte[24];
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
        if (big == PCAPNG_SECTION) {
            return "pcapng";
        }
        if (big == PCAP_MICROS || little == PCAP_MICROS || big == PCAP_NANOS || little == PCAP_NANOS) {
            if (read < 24) {
                throw new CaptureFileException(path + ": pcap file header truncated at offset " + read);
            }
            return "pcap";
        }
        throw new CaptureFileException(String.format("%s: not a pcap or pcapng file (magic 0x%08x at offset 0)", path, big));
    }

    /** The next frame, or null at the end of the file (or at a damaged record, which is logged). */
    public CapturedFrame next() {
        if (ended) {
            return null;
        }
        try {
            byte[] data = handle.getNextRawPacketEx();
            framesRead++;
            long micros = handle.getTimestamp().getTime() / 1000 * 1_000_000 + handle.getTimestamp().getNanos() / 1000;
            Integer original = handle.getOriginalLength();
            return new CapturedFrame(micros, linkType, iface, data, original == null ? data.length : original);
        } catch (EOFException e) {
            ended = true;
            return null;
        } catch (PcapNativeException e) {
            ended = true;
            damage = String.format("%s: damaged record at byte offset %s (frame %d): %s; the %d frames before it are kept",
                    path, damagedOffset(), framesRead + 1, e.getMessage(), framesRead);
            LOG.warn(damage);
            return null;
        } catch (TimeoutException | NotOpenException e) {
            ended = true;
            return null;
        }
    }

    private String damagedOffset() {
        try {
            return String.valueOf(RecordOffsets.offsetOf(path, framesRead));
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** What stopped the reading before the end of the file, with the byte offset; empty when nothing did. */
    public Optional<String> damage() {
        return Optional.ofNullable(damage);
    }

    public long framesRead() {
        return framesRead;
    }

    public int linkType() {
        return linkType;
    }

    @Override
    public void close() {
        handle.close();
    }
}
