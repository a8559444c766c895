package dev.wirewatch.sensor.capture;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pcap or pcapng file. Classic pcap is read in Java ({@link PcapFileReader}); pcapng through libpcap (pcap4j's
 * raw path, no packet objects) on a reader thread. The header is checked here first so that a file that is not a
 * capture gives one clear message instead of libpcap's; a damaged record ends the reading with the frames before
 * it kept, and is logged once.
 */
public final class CaptureFile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureFile.class);
    private static final int PCAPNG_SECTION = 0x0a0d0d0a;

    static {
        LibpcapLocator.configure();
    }

    private final Path path;
    private final PcapFileReader pcap;
    private final PcapHandle handle;
    private final int linkType;
    private final String iface;
    private static final int BATCH = 1024;
    private final BlockingQueue<List<CapturedFrame>> batches = new ArrayBlockingQueue<>(8);
    private List<CapturedFrame> batch = List.of();
    private int batchIndex;
    private Thread reader;
    private long framesRead;
    private volatile long framesReadAhead;
    private boolean ended;
    private volatile String damage;

    private CaptureFile(Path path, PcapFileReader pcap, PcapHandle handle, String iface) {
        this.path = path;
        this.pcap = pcap;
        this.handle = handle;
        this.linkType = handle != null ? handle.getDlt().value() : 0;
        this.iface = iface;
    }

    public static CaptureFile open(Path path) {
        String format = checkHeader(path);
        if (format.equals("pcap")) {
            return new CaptureFile(path, PcapFileReader.open(path), null, "");
        }
        try {
            PcapHandle handle = Pcaps.openOffline(path.toString(), PcapHandle.TimestampPrecision.MICRO);
            String iface = format.equals("pcapng") ? PcapngInterfaces.singleName(path) : "";
            return new CaptureFile(path, null, handle, iface);
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
        if (big == PcapFileReader.MAGIC_MICROS || little == PcapFileReader.MAGIC_MICROS
                || big == PcapFileReader.MAGIC_NANOS || little == PcapFileReader.MAGIC_NANOS) {
            if (read < 24) {
                throw new CaptureFileException(path + ": pcap file header truncated at offset " + read);
            }
            return "pcap";
        }
        throw new CaptureFileException(String.format("%s: not a pcap or pcapng file (magic 0x%08x at offset 0)", path, big));
    }

    /** The next frame, or null at the end of the file (or at a damaged record, which is logged). */
    public CapturedFrame next() {
        if (pcap != null) {
            CapturedFrame frame = pcap.next();
            if (frame != null) {
                framesRead++;
            } else if (pcap.damage() != null && damage == null) {
                damage = pcap.damage();
                LOG.warn(damage);
            }
            return frame;
        }
        if (batchIndex < batch.size()) {
            framesRead++;
            return batch.get(batchIndex++);
        }
        if (ended) {
            return null;
        }
        if (reader == null) {
            reader = new Thread(this::readAll, "wirewatch-read-" + path.getFileName());
            reader.setDaemon(true);
            reader.start();
        }
        try {
            batch = batches.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ended = true;
            return null;
        }
        batchIndex = 0;
        if (batch.isEmpty()) {
            ended = true;
            return null;
        }
        framesRead++;
        return batch.get(batchIndex++);
    }

    /**
     * libpcap's own read loop on a thread of its own, handing frames over in batches: one native call per file
     * instead of three per frame (next, timestamp, length), which is what made the pull path slow.
     */
    private void readAll() {
        Batch current = new Batch();
        try {
            handle.loop(-1, (byte[] data) -> {
                Timestamp ts = handle.getTimestamp();
                long micros = ts.getTime() / 1000 * 1_000_000 + ts.getNanos() / 1000;
                Integer original = handle.getOriginalLength();
                current.frames.add(new CapturedFrame(micros, linkType, iface, data,
                        original == null ? data.length : original));
                framesReadAhead++;
                if (current.frames.size() == BATCH) {
                    hand(current.frames);
                    current.frames = new ArrayList<>(BATCH);
                }
            });
        } catch (PcapNativeException e) {
            damage = String.format("%s: damaged record at byte offset %s (frame %d): %s; the %d frames before it are kept",
                    path, damagedOffset(), framesReadAhead + 1, e.getMessage(), framesReadAhead);
            LOG.warn(damage);
        } catch (InterruptedException | NotOpenException e) {
            // closed while reading
        }
        if (!current.frames.isEmpty()) {
            hand(current.frames);
        }
        hand(List.of());
    }

    private static final class Batch {
        List<CapturedFrame> frames = new ArrayList<>(BATCH);
    }

    private void hand(List<CapturedFrame> frames) {
        try {
            batches.put(frames);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String damagedOffset() {
        try {
            return String.valueOf(RecordOffsets.offsetOf(path, framesReadAhead));
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** What stopped the reading before the end of the file, with the byte offset; empty when nothing did (yet). */
    public Optional<String> damage() {
        return Optional.ofNullable(damage);
    }

    public long framesRead() {
        return framesRead;
    }

    @Override
    public void close() {
        if (pcap != null) {
            pcap.close();
            return;
        }
        if (reader != null && reader.isAlive()) {
            try {
                handle.breakLoop();
            } catch (NotOpenException e) {
                // already closed
            }
            reader.interrupt();
            batches.clear(); // unblocks a reader waiting to hand over a batch
            try {
                reader.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        handle.close();
    }
}
