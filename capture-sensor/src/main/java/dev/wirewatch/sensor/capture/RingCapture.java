package dev.wirewatch.sensor.capture;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Linux's TPACKET_V3 ring read in Java: the kernel fills blocks of packets (a block is handed over when full or
 * after {@link #BLOCK_TIMEOUT_MILLIS}), this thread copies each packet's headers out and gives the block back. With
 * several threads per interface, the sockets join one fanout group and the kernel hashes each flow, both directions
 * alike, to one of them. Reads what tcpdump shows: a VLAN tag the NIC stripped is put back, and on loopback only
 * the incoming copy of a packet is kept (the kernel shows both).
 */
final class RingCapture implements LiveCapture {
    private static final Logger LOG = LoggerFactory.getLogger(RingCapture.class);
    /** Short enough for real time, long enough that a quiet link costs a wake-up per block, not per packet. */
    static final int BLOCK_TIMEOUT_MILLIS = 10;
    private static final int MAX_BLOCK_BYTES = 1 << 20;
    private static final int MIN_BLOCK_BYTES = 64 << 10;
    private static final int IDLE_POLL_MILLIS = 100;
    private static final int TP_STATUS_USER = 1;
    private static final int TP_STATUS_VLAN_VALID = 0x10;
    private static final int TP_STATUS_VLAN_TPID_VALID = 0x40;
    private static final int SOCKADDR_LL_OFFSET = 48; // TPACKET_ALIGN(sizeof(struct tpacket3_hdr))
    private static final int PACKET_OUTGOING = 4;
    private static final int DLT_EN10MB = 1;
    private static final int DLT_RAW = 12;
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final String iface;
    private final int ifindex;
    private final LinuxPacketSocket socket;
    private final ByteBuffer ring;
    private final int blocks;
    private final int blockBytes;
    private final int snaplen;
    private final Map<Integer, String> names = new HashMap<>();
    private final InterfaceDrops interfaceDrops;
    private volatile boolean running = true;
    private boolean linkDown;
    private final CountDownLatch exited = new CountDownLatch(1);
    private volatile boolean reading;
    private boolean closed;
    private volatile long captured;
    private long kernelDrops;

    private RingCapture(String iface, int ifindex, LinuxPacketSocket socket, int blocks, int blockBytes, int snaplen,
                        boolean countsInterfaceDrops) {
        this.iface = iface;
        this.ifindex = ifindex;
        this.socket = socket;
        this.ring = socket.ring();
        this.blocks = blocks;
        this.blockBytes = blockBytes;
        this.snaplen = snaplen;
        this.interfaceDrops = new InterfaceDrops(countsInterfaceDrops ? iface : "any");
    }

    static List<RingCapture> open(String iface, Options options) {
        int ifindex = 0;
        if (!iface.equals("any")) {
            ifindex = LinuxPacketSocket.interfaceIndex(iface);
            if (ifindex == 0) {
                throw new CaptureFileException("cannot capture on " + iface + ": no such interface");
            }
        }
        int perThread = Math.max(options.bufferBytes() / options.threads(), 2 * MIN_BLOCK_BYTES);
        int blockBytes = Math.max(MIN_BLOCK_BYTES, Math.min(MAX_BLOCK_BYTES, Integer.highestOneBit(perThread / 8)));
        int blocks = Math.max(2, perThread / blockBytes);
        int group = -1;
        List<RingCapture> captures = new ArrayList<>();
        try (BpfFilter filter = BpfFilter.compile(options.filter(), options.snaplen())) {
            for (int thread = 0; thread < options.threads(); thread++) {
                LinuxPacketSocket socket = LinuxPacketSocket.open(blocks, blockBytes, BLOCK_TIMEOUT_MILLIS);
                // the interface's own drop counter is read by the first thread only, so it is counted once
                captures.add(new RingCapture(iface, ifindex, socket, blocks, blockBytes, options.snaplen(), thread == 0));
                socket.attachFilter(filter.instructions(), filter.count());
                socket.bind(ifindex);
                if (options.promiscuous() && ifindex != 0) {
                    socket.promiscuous(ifindex);
                }
                if (options.threads() > 1) {
                    if (group < 0) {
                        group = socket.foundFanout();
                    } else {
                        socket.joinFanout(group);
                    }
                }
            }
            return captures;
        } catch (LastErrorException | CaptureFileException e) {
            captures.forEach(RingCapture::close);
            if (e instanceof CaptureFileException known) {
                throw known;
            }
            throw new CaptureFileException("cannot capture on " + iface + " with the packet ring (it needs root or "
                    + "CAP_NET_RAW; --engine libpcap is the portable engine): " + e.getMessage(), e);
        }
    }

    @Override
    public void run(Consumer<CapturedFrame> frames) {
        reading = true;
        try {
            readBlocks(frames);
        } finally {
            exited.countDown();
        }
    }

    private void readBlocks(Consumer<CapturedFrame> frames) {
        int block = 0;
        while (running) {
            int start = block * blockBytes;
            if (((int) INT.getAcquire(ring, start + 8) & TP_STATUS_USER) == 0) {
                awaitBlock();
                continue;
            }
            int packets = ring.getInt(start + 12);
            int offset = start + ring.getInt(start + 16);
            int delivered = 0;
            for (int i = 0; i < packets; i++) {
                CapturedFrame frame = frameAt(offset);
                if (frame != null) {
                    frames.accept(frame);
                    delivered++;
                }
                offset += ring.getInt(offset);
            }
            captured += delivered;
            INT.setRelease(ring, start + 8, 0); // TP_STATUS_KERNEL: the block is the kernel's again
            block = (block + 1) % blocks;
        }
    }

    /**
     * Waits for the kernel's next block. While the interface is down the socket reports ENETDOWN at every poll:
     * that is said once, and the wait goes on (the socket receives again when the link comes back); an interface
     * that is gone, or was replaced by a new one of the same name (the socket stays bound to the old index and
     * would never receive again), ends the capture with an exception that says so.
     */
    private void awaitBlock() {
        int error = socket.await(IDLE_POLL_MILLIS);
        if (error == 0) {
            if (linkDown) {
                LOG.info("{}: the interface is up again; capture goes on", iface);
                linkDown = false;
            }
            return;
        }
        if (!iface.equals("any")) {
            int now = LinuxPacketSocket.interfaceIndex(iface);
            if (now != ifindex) {
                running = false;
                throw new IllegalStateException(now == 0 ? "the interface is gone"
                        : "the interface was replaced (index " + ifindex + ", now " + now + ")");
            }
        }
        if (!linkDown) {
            LOG.warn("{}: the interface went down (socket error {}); waiting for it", iface, error);
            linkDown = true;
        }
        try {
            Thread.sleep(IDLE_POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** One packet of a block as tcpdump would show it, or null for loopback's outgoing copy and unknown links. */
    private CapturedFrame frameAt(int packet) {
        int sll = packet + SOCKADDR_LL_OFFSET;
        int hatype = ring.getShort(sll + 8) & 0xffff;
        if ((ring.get(sll + 10) & 0xff) == PACKET_OUTGOING && LinuxPacketSocket.isLoopback(hatype)) {
            return null;
        }
        long micros = (ring.getInt(packet + 4) & 0xffff_ffffL) * 1_000_000 + (ring.getInt(packet + 8) & 0xffff_ffffL) / 1000;
        int snapped = ring.getInt(packet + 12);
        int length = ring.getInt(packet + 16);
        int status = ring.getInt(packet + 20);
        int mac = packet + (ring.getShort(packet + 24) & 0xffff);
        // a device without a link-layer header (tun, IP tunnels) hands over the IP packet itself; other link
        // headers (radiotap, InfiniBand, on "any") are not decoded
        boolean ethernet = LinuxPacketSocket.isEthernet(hatype);
        if (!ethernet && mac != packet + (ring.getShort(packet + 26) & 0xffff)) {
            return null;
        }
        int linkType = ethernet ? DLT_EN10MB : DLT_RAW;
        int tci = ring.getInt(packet + 32) & 0xffff;
        byte[] data;
        if (linkType == DLT_EN10MB && snapped >= 12 && (tci != 0 || (status & TP_STATUS_VLAN_VALID) != 0)) {
            int tpid = (status & TP_STATUS_VLAN_TPID_VALID) != 0 ? ring.getShort(packet + 36) & 0xffff : 0x8100;
            data = new byte[Math.min(snapped + 4, snaplen)]; // cut at the snaplen again, as libpcap does
            ring.get(mac, data, 0, 12);
            data[12] = (byte) (tpid >> 8);
            data[13] = (byte) tpid;
            data[14] = (byte) (tci >> 8);
            data[15] = (byte) tci;
            ring.get(mac + 12, data, 16, data.length - 16);
            length += 4;
        } else {
            data = new byte[snapped];
            ring.get(mac, data, 0, snapped);
        }
        return new CapturedFrame(micros, linkType, nameOf(ring.getInt(sll + 4)), data, length);
    }

    /** The configured interface, or on "any" each packet's own (names cached by index). */
    private String nameOf(int ifindex) {
        if (!iface.equals("any")) {
            return iface;
        }
        return names.computeIfAbsent(ifindex, LinuxPacketSocket::interfaceName);
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public String iface() {
        return iface;
    }

    @Override
    public String engine() {
        return "ring";
    }

    @Override
    public long captured() {
        return captured;
    }

    /** The ring's drops (PACKET_STATISTICS; reading resets the kernel's count, so they add up here). */
    @Override
    public synchronized Drops drops() {
        if (!closed) {
            kernelDrops += socket.takeStatistics()[1];
        }
        return new Drops(kernelDrops, interfaceDrops.sinceOpen());
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        running = false;
        try {
            if (reading && !exited.await(2, TimeUnit.SECONDS)) {
                // unmapping the ring under a reader would crash the JVM; the process is ending anyway
                LOG.warn("{}: the capture thread did not stop within 2 s; its ring stays mapped", iface);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        drops();
        closed = true;
        socket.close();
    }

    /** The interface's own receive drops since the capture opened (what libpcap reports as ps_ifdrop). */
    private static final class InterfaceDrops {
        private final Path counter;
        private final long atOpen;

        InterfaceDrops(String iface) {
            this.counter = iface.equals("any") ? null : Path.of("/sys/class/net", iface, "statistics", "rx_dropped");
            this.atOpen = read();
        }

        long sinceOpen() {
            return Math.max(0, read() - atOpen);
        }

        private long read() {
            if (counter == null) {
                return 0;
            }
            try {
                return Long.parseLong(Files.readString(counter).trim());
            } catch (IOException | NumberFormatException e) {
                return atOpen;
            }
        }
    }
}
