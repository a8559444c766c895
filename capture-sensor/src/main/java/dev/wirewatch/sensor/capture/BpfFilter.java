package dev.wirewatch.sensor.capture;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * A capture filter as classic BPF for the packet ring. libpcap compiles tcpdump syntax (on a "dead" Ethernet handle,
 * so its accept instructions return the snaplen and the kernel truncates there); without a filter a single
 * instruction accepts every packet at the snaplen. Kept in native memory until {@link #close}.
 */
final class BpfFilter implements AutoCloseable {
    private static final int DLT_EN10MB = 1;
    private static final int BPF_RET_K = 0x06;
    private static final int NETMASK_UNKNOWN = 0xffffffff;

    /** libpcap's compiler, loaded only when a filter is given. */
    interface Libpcap extends Library {
        Pointer pcap_open_dead(int linkType, int snaplen);

        int pcap_compile(Pointer pcap, Pointer program, String expression, int optimize, int netmask);

        String pcap_geterr(Pointer pcap);

        void pcap_freecode(Pointer program);

        void pcap_close(Pointer pcap);
    }

    private final Memory program; // struct bpf_program: u_int length, padding, pointer to the instructions
    private final Memory acceptAll;
    private final Libpcap compiler;

    private BpfFilter(Memory program, Memory acceptAll, Libpcap compiler) {
        this.program = program;
        this.acceptAll = acceptAll;
        this.compiler = compiler;
    }

    static BpfFilter compile(String expression, int snaplen) {
        if (expression == null || expression.isBlank()) {
            Memory instruction = new Memory(8);
            instruction.setShort(0, (short) BPF_RET_K);
            instruction.setByte(2, (byte) 0);
            instruction.setByte(3, (byte) 0);
            instruction.setInt(4, snaplen);
            return new BpfFilter(null, instruction, null);
        }
        Libpcap libpcap = load();
        Pointer dead = libpcap.pcap_open_dead(DLT_EN10MB, snaplen);
        Memory program = new Memory(16);
        program.clear();
        try {
            if (libpcap.pcap_compile(dead, program, expression, 1, NETMASK_UNKNOWN) != 0) {
                throw new CaptureFileException("capture filter '" + expression + "' is not valid BPF: "
                        + libpcap.pcap_geterr(dead));
            }
        } finally {
            libpcap.pcap_close(dead);
        }
        return new BpfFilter(program, null, libpcap);
    }

    private static Libpcap load() {
        LibpcapLocator.configure();
        String name = System.getProperty(LibpcapLocator.PROPERTY, "pcap");
        try {
            return Native.load(name, Libpcap.class);
        } catch (UnsatisfiedLinkError e) {
            throw new CaptureFileException("a capture filter needs libpcap, which is not installed "
                    + "(apt-get install libpcap0.8): " + e.getMessage(), e);
        }
    }

    Pointer instructions() {
        return program == null ? acceptAll : program.getPointer(8);
    }

    int count() {
        return program == null ? 1 : program.getInt(0);
    }

    @Override
    public void close() {
        if (compiler != null) {
            compiler.pcap_freecode(program);
        }
    }
}
