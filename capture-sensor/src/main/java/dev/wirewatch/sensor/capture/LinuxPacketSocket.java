package dev.wirewatch.sensor.capture;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.nio.ByteBuffer;

/**
 * An AF_PACKET socket with a TPACKET_V3 receive ring mapped into the process (Linux's packet_mmap): the kernel
 * writes whole blocks of packets into shared memory and the reader walks them in Java, so the only native calls
 * are the setup, one poll() per idle wait and a statistics read now and then — never one per packet. The socket is
 * created with protocol 0 so nothing is queued before the ring and the filter are in place; {@link #bind} starts it.
 */
final class LinuxPacketSocket implements AutoCloseable {
    private static final int AF_PACKET = 17;
    private static final int SOCK_RAW = 3;
    private static final int SOL_SOCKET = 1;
    private static final int SO_ATTACH_FILTER = 26;
    private static final int SOL_PACKET = 263;
    private static final int PACKET_ADD_MEMBERSHIP = 1;
    private static final int PACKET_MR_PROMISC = 1;
    private static final int PACKET_RX_RING = 5;
    private static final int PACKET_STATISTICS = 6;
    private static final int PACKET_VERSION = 10;
    private static final int PACKET_FANOUT = 18;
    private static final int TPACKET_V3 = 2;
    private static final int PACKET_FANOUT_HASH = 0;
    /** The kernel picks an unused group id (Linux 4.20+), so two sensors on one interface never share a group. */
    private static final int PACKET_FANOUT_FLAG_UNIQUEID = 0x2000;
    private static final int SO_ERROR = 4;
    private static final short POLLERR = 0x8;
    private static final short POLLNVAL = 0x20;
    private static final int ETH_P_ALL = 0x0003;
    private static final int PROT_READ_WRITE = 0x3;
    private static final int MAP_SHARED = 0x1;
    private static final short POLLIN = 0x1;
    private static final int EINTR = 4;
    private static final int ARPHRD_ETHER = 1;
    private static final int ARPHRD_LOOPBACK = 772;

    /** The few libc calls the ring needs; JNA binds them once. */
    interface Libc extends Library {
        Libc C = Native.load("c", Libc.class);

        int socket(int domain, int type, int protocol) throws LastErrorException;

        int setsockopt(int fd, int level, int name, Pointer value, int length) throws LastErrorException;

        int getsockopt(int fd, int level, int name, Pointer value, IntByReference length) throws LastErrorException;

        int bind(int fd, Pointer address, int length) throws LastErrorException;

        Pointer mmap(Pointer address, long length, int protection, int flags, int fd, long offset) throws LastErrorException;

        int munmap(Pointer address, long length) throws LastErrorException;

        int poll(Pointer fds, long count, int timeoutMillis) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        int if_nametoindex(String name);

        Pointer if_indextoname(int index, byte[] name);
    }

    private final int fd;
    private final Memory pollFd = new Memory(8);
    private Pointer ring;
    private long ringBytes;

    private LinuxPacketSocket(int fd) {
        this.fd = fd;
        pollFd.setInt(0, fd);
        pollFd.setShort(4, POLLIN);
        pollFd.setShort(6, (short) 0);
    }

    /** A TPACKET_V3 socket whose ring has {@code blocks} blocks of {@code blockBytes}, retired after {@code blockTimeoutMillis}. */
    static LinuxPacketSocket open(int blocks, int blockBytes, int blockTimeoutMillis) {
        int fd = Libc.C.socket(AF_PACKET, SOCK_RAW, 0);
        LinuxPacketSocket socket = new LinuxPacketSocket(fd);
        try {
            socket.setInt(SOL_PACKET, PACKET_VERSION, TPACKET_V3);
            int frameBytes = 2048; // V3 packs packets by their size; the frame size only has to divide the block
            Memory request = new Memory(28);
            request.setInt(0, blockBytes);
            request.setInt(4, blocks);
            request.setInt(8, frameBytes);
            request.setInt(12, blockBytes / frameBytes * blocks);
            request.setInt(16, blockTimeoutMillis);
            request.setInt(20, 0);
            request.setInt(24, 0);
            Libc.C.setsockopt(fd, SOL_PACKET, PACKET_RX_RING, request, 28);
            socket.ringBytes = (long) blocks * blockBytes;
            socket.ring = Libc.C.mmap(null, socket.ringBytes, PROT_READ_WRITE, MAP_SHARED, fd, 0);
            return socket;
        } catch (LastErrorException e) {
            socket.close();
            throw e;
        }
    }

    /** The ring as a buffer in the platform's byte order; valid until {@link #close}. */
    ByteBuffer ring() {
        return ring.getByteBuffer(0, ringBytes).order(java.nio.ByteOrder.nativeOrder());
    }

    /** A classic BPF program (8-byte instructions, as libpcap compiles them) that decides and truncates. */
    void attachFilter(Pointer instructions, int count) {
        Memory program = new Memory(16); // struct sock_fprog: u16 length, padding, pointer
        program.clear();
        program.setShort(0, (short) count);
        program.setPointer(8, instructions);
        Libc.C.setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, program, 16);
    }

    /** Starts delivery of every protocol on {@code ifindex} (0: all interfaces). */
    void bind(int ifindex) {
        Memory address = new Memory(20); // struct sockaddr_ll
        address.clear();
        address.setShort(0, (short) AF_PACKET);
        address.setByte(2, (byte) (ETH_P_ALL >> 8)); // protocol in network byte order
        address.setByte(3, (byte) ETH_P_ALL);
        address.setInt(4, ifindex);
        Libc.C.bind(fd, address, 20);
    }

    void promiscuous(int ifindex) {
        Memory request = new Memory(16); // struct packet_mreq; dropped by the kernel when the socket closes
        request.clear();
        request.setInt(0, ifindex);
        request.setShort(4, (short) PACKET_MR_PROMISC);
        Libc.C.setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, request, 16);
    }

    /**
     * Founds a hash fanout group under an id the kernel chooses and returns it: the kernel hashes each flow (both
     * directions alike) to one member. IP fragments without ports may hash apart from their flow's other packets.
     */
    int foundFanout() {
        setInt(SOL_PACKET, PACKET_FANOUT, (PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_UNIQUEID) << 16);
        return getInt(SOL_PACKET, PACKET_FANOUT) & 0xffff;
    }

    void joinFanout(int group) {
        setInt(SOL_PACKET, PACKET_FANOUT, (group & 0xffff) | (PACKET_FANOUT_HASH << 16));
    }

    /**
     * Waits up to {@code timeoutMillis} for the kernel to hand over a block. Returns 0 when it did or the time
     * passed, or the socket's pending error (read, which clears it): ENETDOWN while the interface is down, which
     * would otherwise make every poll return at once.
     */
    int await(int timeoutMillis) {
        pollFd.setShort(6, (short) 0);
        try {
            Libc.C.poll(pollFd, 1, timeoutMillis);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EINTR) {
                return 0;
            }
            throw e;
        }
        if ((pollFd.getShort(6) & (POLLERR | POLLNVAL)) == 0) {
            return 0;
        }
        return getInt(SOL_SOCKET, SO_ERROR);
    }

    /**
     * The kernel's counters since the last call (reading resets them): {packets received including dropped, dropped
     * because the ring was full}.
     */
    long[] takeStatistics() {
        Memory stats = new Memory(12); // struct tpacket_stats_v3
        IntByReference length = new IntByReference(12);
        Libc.C.getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, stats, length);
        return new long[] {stats.getInt(0) & 0xffff_ffffL, stats.getInt(4) & 0xffff_ffffL};
    }

    /** Whether frames of this device type (ARPHRD_*) start with an Ethernet header: Ethernet and loopback. */
    static boolean isEthernet(int hardwareType) {
        return hardwareType == ARPHRD_ETHER || hardwareType == ARPHRD_LOOPBACK;
    }

    static boolean isLoopback(int hardwareType) {
        return hardwareType == ARPHRD_LOOPBACK;
    }

    static int interfaceIndex(String name) {
        return Libc.C.if_nametoindex(name);
    }

    /** The interface's name, or "if" + index once it is gone. */
    static String interfaceName(int index) {
        byte[] name = new byte[16]; // IF_NAMESIZE
        Pointer found = Libc.C.if_indextoname(index, name);
        return found == null ? "if" + index : Native.toString(name);
    }

    private int getInt(int level, int option) {
        Memory memory = new Memory(4);
        IntByReference length = new IntByReference(4);
        Libc.C.getsockopt(fd, level, option, memory, length);
        return memory.getInt(0);
    }

    private void setInt(int level, int option, int value) {
        Memory memory = new Memory(4);
        memory.setInt(0, value);
        Libc.C.setsockopt(fd, level, option, memory, 4);
    }

    @Override
    public void close() {
        if (ring != null) {
            Libc.C.munmap(ring, ringBytes);
            ring = null;
        }
        Libc.C.close(fd);
    }
}
