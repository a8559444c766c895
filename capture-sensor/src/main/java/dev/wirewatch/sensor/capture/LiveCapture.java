package dev.wirewatch.sensor.capture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live capture of one interface by one thread: frames delivered in the order the kernel saw them, with their
 * interface, until {@link #stop()}. Headers only: the snaplen is small. {@link #open} picks the engine.
 */
public interface LiveCapture extends AutoCloseable {
    /** Which code reads the kernel's packets. */
    enum Engine {
        /** The packet ring on Linux where it can capture the interface, else libpcap. */
        AUTO,
        /** Linux's TPACKET_V3 ring, read in Java ({@link RingCapture}). */
        RING,
        /** libpcap through pcap4j: portable, one native call per packet and more ({@link LibpcapCapture}). */
        LIBPCAP;

        public static Engine parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown capture engine '" + name + "': auto, ring or libpcap");
            }
        }
    }

    /**
     * How to open an interface.
     *
     * @param bufferBytes the kernel's buffer for the interface (the ring, shared by its threads)
     * @param threads     capture threads for the interface: the ring's fanout spreads flows over them (ring only)
     */
    record Options(int snaplen, boolean promiscuous, int bufferBytes, String filter, Engine engine, int threads) {
        public static final int DEFAULT_BUFFER_BYTES = 64 << 20;

        public Options {
            if (snaplen < 64 || snaplen > 65_535) {
                throw new IllegalArgumentException("snaplen must be 64 to 65535 bytes: " + snaplen);
            }
            if (threads < 1 || threads > 64) {
                throw new IllegalArgumentException("capture threads must be 1 to 64: " + threads);
            }
        }

        public static Options defaults(String filter) {
            return new Options(128, false, DEFAULT_BUFFER_BYTES, filter, Engine.AUTO, 1);
        }
    }

    /** Drops the capture counted: {@code kernel} for lack of buffer (ring or libpcap's), {@code iface} by the interface. */
    record Drops(long kernel, long iface) {}

    /** One capture per thread for {@code iface}: several only for the ring with {@code options.threads() > 1}. */
    static List<LiveCapture> open(String iface, Options options) {
        Engine engine = options.engine() == Engine.AUTO ? Capability.engineFor(iface, options.filter()) : options.engine();
        if (engine == Engine.RING) {
            try {
                return new ArrayList<>(RingCapture.open(iface, options));
            } catch (CaptureFileException | UnsatisfiedLinkError | NoClassDefFoundError e) {
                if (options.engine() != Engine.AUTO) {
                    throw e;
                }
                Capability.LOG.warn("the packet ring cannot capture {} ({}): libpcap captures it instead", iface,
                        e.getMessage());
            }
        }
        if (options.threads() > 1) {
            Capability.LOG.warn("libpcap captures {} on one thread; --capture-threads applies to the ring engine only", iface);
        }
        return List.of(LibpcapCapture.open(iface, options));
    }

    /** Delivers frames until {@link #stop()}; runs on the calling thread. */
    void run(Consumer<CapturedFrame> frames);

    void stop();

    String iface();

    /** Which engine reads this capture: "ring" or "libpcap". */
    String engine();

    long captured();

    Drops drops();

    @Override
    void close();

    /** Where the ring can run: Linux, and an interface whose frames start with an Ethernet header (or "any"). */
    final class Capability {
        private static final Logger LOG = LoggerFactory.getLogger(LiveCapture.class);

        private Capability() {}

        static Engine engineFor(String iface, String filter) {
            if (!System.getProperty("os.name", "").startsWith("Linux")) {
                return Engine.LIBPCAP;
            }
            if (filter != null && filter.matches("(?s).*\\bvlan\\b.*")) {
                // the kernel moves VLAN tags out of the frame before the ring's filter runs; libpcap's live handle
                // tests them where they are, the ring's filter (compiled for plain Ethernet) would not
                LOG.info("a filter on VLAN tags: {} is captured with libpcap", iface);
                return Engine.LIBPCAP;
            }
            if (iface.equals("any")) {
                return Engine.RING;
            }
            try {
                int type = Integer.parseInt(Files.readString(Path.of("/sys/class/net", iface, "type")).trim());
                if (LinuxPacketSocket.isEthernet(type)) {
                    return Engine.RING;
                }
                LOG.info("{} is not Ethernet (ARPHRD {}): captured with libpcap", iface, type);
                return Engine.LIBPCAP;
            } catch (IOException | NumberFormatException e) {
                return Engine.RING; // no such interface: the ring's open says so clearly
            }
        }
    }
}
