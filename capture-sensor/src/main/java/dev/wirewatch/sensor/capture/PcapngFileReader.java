package dev.wirewatch.sensor.capture;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * pcapng files read in Java (draft-ietf-opsawg-pcapng), so that reading a file needs no libpcap. A file is one or
 * more sections, each a Section Header Block (which sets the byte order) and then Interface Description Blocks and
 * packet blocks; a new section starts a new list of interfaces. Packets come from Enhanced Packet Blocks, Simple
 * Packet Blocks (interface 0, no timestamp: the previous frame's time, 0 before any) and the obsolete Packet Blocks
 * (read like enhanced ones); every other block type is skipped. A frame carries its interface's link type and name.
 * A block whose length is wrong or runs past the end of the file, or a packet of an interface the section has not
 * described, ends the reading as in {@link PcapFileReader}.
 */
final class PcapngFileReader extends CaptureReader {
    static final int SECTION_HEADER = 0x0a0d0d0a;
    private static final int BYTE_ORDER_MAGIC = 0x1a2b3c4d;
    private static final int INTERFACE_DESCRIPTION = 1;
    private static final int OBSOLETE_PACKET = 2;
    private static final int SIMPLE_PACKET = 3;
    private static final int ENHANCED_PACKET = 6;
    /** Type, length and the trailing copy of the length: the smallest block. */
    private static final int BLOCK_OVERHEAD = 12;
    /** Byte-order magic, version and section length: the section header's body before its options. */
    private static final int SECTION_FIXED_BYTES = 16;
    /** Interface, timestamp, captured and original length: the (enhanced) packet block's body before its data. */
    private static final int PACKET_FIXED_BYTES = 20;
    /** libpcap's limit for a block; larger lengths are garbage, not packets. */
    private static final int MAX_BLOCK_BYTES = 16 << 20;

    private final List<PcapngInterface> interfaces = new ArrayList<>();
    private long previousMicros;

    private PcapngFileReader(Path path) {
        super(path);
    }

    /** Opens a file whose magic number the caller has checked to be a pcapng section header. */
    static PcapngFileReader open(Path path) {
        return start(new PcapngFileReader(path));
    }

    @Override
    void header() throws IOException, Damaged {
        try {
            int length = block();
            section(buffer.position(), length);
            consume(length);
        } catch (Damaged e) {
            throw new Damaged("pcapng section header at byte offset 0: " + e.getMessage());
        }
    }

    @Override
    CapturedFrame read() throws IOException, Damaged {
        while (true) {
            int length = block();
            if (length == 0) {
                return null;
            }
            int at = buffer.position();
            CapturedFrame frame = switch (buffer.getInt(at)) {
                case SECTION_HEADER -> {
                    section(at, length);
                    yield null;
                }
                case INTERFACE_DESCRIPTION -> {
                    interfaces.add(PcapngInterface.parse(buffer, at + 8, at + length - 4));
                    yield null;
                }
                case ENHANCED_PACKET -> packet(at, length, buffer.getInt(at + 8));
                case OBSOLETE_PACKET -> packet(at, length, buffer.getShort(at + 8) & 0xffff);
                case SIMPLE_PACKET -> simplePacket(at, length);
                default -> null; // name resolution, statistics, secrets, custom blocks: nothing a frame needs
            };
            consume(length);
            if (frame != null) {
                return frame;
            }
        }
    }

    /**
     * Makes the next block readable whole at the buffer's position and returns its length, 0 at the end of the file.
     * At a section header, first sets the buffer's byte order from it (its type reads the same in both).
     */
    private int block() throws IOException, Damaged {
        if (!fill(BLOCK_OVERHEAD)) {
            if (buffer.hasRemaining()) {
                throw new Damaged("block header cut short by the end of the file");
            }
            return 0;
        }
        int at = buffer.position();
        if (buffer.getInt(at) == SECTION_HEADER) {
            int magic = buffer.order(ByteOrder.BIG_ENDIAN).getInt(at + 8);
            if (magic != BYTE_ORDER_MAGIC) {
                if (Integer.reverseBytes(magic) != BYTE_ORDER_MAGIC) {
                    throw new Damaged(String.format("section header's byte-order magic is 0x%08x", magic));
                }
                buffer.order(ByteOrder.LITTLE_ENDIAN);
            }
        }
        int length = buffer.getInt(at + 4);
        if (length < BLOCK_OVERHEAD || length % 4 != 0 || length > MAX_BLOCK_BYTES) {
            throw new Damaged(String.format("block length %d is not a multiple of 4 between 12 and %d",
                    length & 0xffff_ffffL, MAX_BLOCK_BYTES));
        }
        if (!fill(length)) {
            throw new Damaged(String.format("block of %d bytes cut short by the end of the file after %d",
                    length, buffer.remaining()));
        }
        at = buffer.position(); // fill() may have moved the block
        int trailing = buffer.getInt(at + length - 4);
        if (trailing != length) {
            throw new Damaged(String.format("block length %d at its start but %d at its end", length,
                    trailing & 0xffff_ffffL));
        }
        return length;
    }

    /** A new section: its interfaces are its own. */
    private void section(int at, int length) throws Damaged {
        if (length < BLOCK_OVERHEAD + SECTION_FIXED_BYTES) {
            throw new Damaged("section header block of " + length + " bytes is shorter than 28");
        }
        int major = buffer.getShort(at + 12) & 0xffff;
        if (major != 1) {
            throw new Damaged(String.format("pcapng version %d.%d is not supported (1.x is)", major,
                    buffer.getShort(at + 14) & 0xffff));
        }
        interfaces.clear();
    }

    /** An enhanced or obsolete packet block: both hold interface, timestamp, both lengths, then the data. */
    private CapturedFrame packet(int at, int length, int interfaceId) throws Damaged {
        if (length < BLOCK_OVERHEAD + PACKET_FIXED_BYTES) {
            throw new Damaged("packet block of " + length + " bytes is shorter than 32");
        }
        PcapngInterface iface = described(interfaceId);
        long ticks = (buffer.getInt(at + 12) & 0xffff_ffffL) << 32 | (buffer.getInt(at + 16) & 0xffff_ffffL);
        int captured = buffer.getInt(at + 20);
        int original = buffer.getInt(at + 24);
        int room = length - BLOCK_OVERHEAD - PACKET_FIXED_BYTES;
        return frame(iface, iface.clock().micros(ticks), at + 28, captured, room, original);
    }

    /**
     * A simple packet block: interface 0, no timestamp, only the original length; the captured length is that cut to
     * the interface's snapshot length.
     */
    private CapturedFrame simplePacket(int at, int length) throws Damaged {
        if (length < BLOCK_OVERHEAD + 4) {
            throw new Damaged("simple packet block of " + length + " bytes is shorter than 16");
        }
        PcapngInterface iface = described(0);
        int original = buffer.getInt(at + 8);
        int room = length - BLOCK_OVERHEAD - 4;
        int captured = iface.snapLength() > 0 ? Math.min(original, iface.snapLength()) : original;
        // The block holds exactly that, padded (as tshark requires): other data means the lengths are wrong.
        if (captured >= 0 && captured <= PcapFileReader.MAX_RECORD_BYTES && ((captured + 3) & ~3) != room) {
            throw new Damaged(String.format("simple packet block holds %d bytes of data for a captured length of %d",
                    room, captured));
        }
        return frame(iface, previousMicros, at + 12, captured, room, original);
    }

    private PcapngInterface described(int interfaceId) throws Damaged {
        if (interfaceId < 0 || interfaceId >= interfaces.size()) {
            throw new Damaged(String.format("packet of interface %d, but its section describes %d interfaces",
                    interfaceId & 0xffff_ffffL, interfaces.size()));
        }
        return interfaces.get(interfaceId);
    }

    private CapturedFrame frame(PcapngInterface iface, long micros, int dataAt, int captured, int room, int original)
            throws Damaged {
        if (captured < 0 || captured > PcapFileReader.MAX_RECORD_BYTES) {
            throw new Damaged(String.format("captured length %d is larger than the maximum of %d",
                    captured & 0xffff_ffffL, PcapFileReader.MAX_RECORD_BYTES));
        }
        if (captured > room) {
            throw new Damaged(String.format("captured length %d is larger than the block's %d bytes of data",
                    captured, room));
        }
        byte[] data = new byte[captured];
        buffer.get(dataAt, data);
        previousMicros = micros;
        return new CapturedFrame(micros, iface.linkType(), iface.name(), data, original);
    }
}
