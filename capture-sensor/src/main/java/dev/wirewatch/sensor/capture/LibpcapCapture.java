package dev.wirewatch.sensor.capture;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapStat;

/**
 * The portable engine: libpcap through pcap4j, one handle per interface so that every packet's interface is known.
 * It costs three native calls per packet (pcap4j's callback, timestamp, length), which is why Linux uses the packet
 * ring ({@link RingCapture}) unless told otherwise. Immediate mode delivers packets as they come instead of when
 * the kernel buffer fills, so stream time stays close to real time.
 */
final class LibpcapCapture implements LiveCapture {
    static {
        LibpcapLocator.configure();
    }

    private final String iface;
    private final PcapHandle handle;
    private final int linkType;
    private final AtomicLong captured = new AtomicLong();

    private LibpcapCapture(String iface, PcapHandle handle) {
        this.iface = iface;
        this.handle = handle;
        this.linkType = handle.getDlt().value();
    }

    static LibpcapCapture open(String iface, Options options) {
        try {
            PcapHandle handle = new PcapHandle.Builder(iface)
                    .snaplen(options.snaplen())
                    .promiscuousMode(options.promiscuous() ? PcapNetworkInterface.PromiscuousMode.PROMISCUOUS
                            : PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                    .timeoutMillis(100)
                    .bufferSize(options.bufferBytes())
                    .immediateMode(true)
                    .timestampPrecision(PcapHandle.TimestampPrecision.MICRO)
                    .build();
            if (options.filter() != null && !options.filter().isBlank()) {
                try {
                    handle.setFilter(options.filter(), BpfProgram.BpfCompileMode.OPTIMIZE);
                } catch (PcapNativeException e) {
                    handle.close();
                    throw new CaptureFileException("capture filter '" + options.filter() + "' on " + iface
                            + " is not valid BPF: " + e.getMessage(), e);
                }
            }
            return new LibpcapCapture(iface, handle);
        } catch (PcapNativeException | NotOpenException e) {
            throw new CaptureFileException("cannot capture on " + iface + " (it must exist, and capture needs root or "
                    + "CAP_NET_RAW): " + e.getMessage(), e);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new CaptureFileException("libpcap could not be loaded: is libpcap0.8 installed (apt-get install "
                    + "libpcap0.8), and may this user write java.io.tmpdir (JNA unpacks its native part there)? "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void run(Consumer<CapturedFrame> frames) {
        try {
            handle.loop(-1, (byte[] data) -> {
                captured.incrementAndGet();
                java.sql.Timestamp ts = handle.getTimestamp();
                long micros = Math.floorDiv(ts.getTime(), 1000) * 1_000_000 + ts.getNanos() / 1000;
                Integer original = handle.getOriginalLength();
                frames.accept(new CapturedFrame(micros, linkType, iface, data, original == null ? data.length : original));
            });
        } catch (InterruptedException e) {
            // breakLoop: stopped on purpose
        } catch (PcapNativeException | NotOpenException e) {
            throw new IllegalStateException("capture on " + iface + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void stop() {
        try {
            handle.breakLoop();
        } catch (NotOpenException e) {
            // already closed
        }
    }

    @Override
    public String iface() {
        return iface;
    }

    @Override
    public String engine() {
        return "libpcap";
    }

    @Override
    public long captured() {
        return captured.get();
    }

    /** libpcap's counters: ps_drop (the kernel buffer was full) and ps_ifdrop (the interface dropped). */
    @Override
    public Drops drops() {
        try {
            PcapStat stats = handle.getStats();
            return new Drops(stats.getNumPacketsDropped(), stats.getNumPacketsDroppedByIf());
        } catch (PcapNativeException | NotOpenException e) {
            return new Drops(0, 0);
        }
    }

    @Override
    public void close() {
        handle.close();
    }
}
