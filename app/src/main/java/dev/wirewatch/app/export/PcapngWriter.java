package dev.wirewatch.app.export;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A minimal pcapng writer (draft-ietf-opsawg-pcapng): one Section Header Block, Interface Description Blocks and
 * Enhanced Packet Blocks, little-endian, timestamps in microseconds (the default if_tsresol, also written out so
 * a reader need not assume it). Enough for Wireshark and tshark; no other block types.
 */
public final class PcapngWriter implements AutoCloseable {
    public static final int LINKTYPE_ETHERNET = 1;
    /** Bare IPv4 or IPv6 packets, for vantages that reported no MAC addresses. */
    public static final int LINKTYPE_RAW = 101;

    private static final int SHB = 0x0A0D0D0A;
    private static final int IDB = 0x00000001;
    private static final int EPB = 0x00000006;
    private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final short OPT_END = 0;
    private static final short OPT_COMMENT = 1;
    private static final short SHB_USERAPPL = 4;
    private static final short IF_NAME = 2;
    private static final short IF_DESCRIPTION = 3;
    private static final short IF_TSRESOL = 9;

    private final OutputStream out;
    private int interfaces;

    public PcapngWriter(OutputStream out, String comment) throws IOException {
        this.out = new BufferedOutputStream(out);
        Options options = new Options().text(OPT_COMMENT, comment).text(SHB_USERAPPL, "wirewatch export");
        ByteBuffer body = buffer(16 + options.length());
        body.putInt(BYTE_ORDER_MAGIC).putShort((short) 1).putShort((short) 0).putLong(-1L); // version 1.0, length unknown
        options.writeTo(body);
        block(SHB, body);
    }

    /** Adds an interface; its index (0, 1, ...) is what {@link #packet} takes. */
    public int addInterface(int linkType, int snapLength, String name, String description) throws IOException {
        Options options = new Options().text(IF_NAME, name).text(IF_DESCRIPTION, description)
                .bytes(IF_TSRESOL, new byte[] {6});
        ByteBuffer body = buffer(8 + options.length());
        body.putShort((short) linkType).putShort((short) 0).putInt(snapLength);
        options.writeTo(body);
        block(IDB, body);
        return interfaces++;
    }

    /**
     * @param captured       the bytes kept (here: the rebuilt headers)
     * @param originalLength the frame's length on the wire, at least {@code captured.length}
     */
    public void packet(int iface, long tsMicros, byte[] captured, int originalLength) throws IOException {
        if (iface < 0 || iface >= interfaces) {
            throw new IllegalArgumentException("no interface " + iface);
        }
        ByteBuffer body = buffer(20 + padded(captured.length));
        body.putInt(iface).putInt((int) (tsMicros >>> 32)).putInt((int) tsMicros).putInt(captured.length)
                .putInt(Math.max(originalLength, captured.length)).put(captured);
        block(EPB, body);
    }

    private void block(int type, ByteBuffer body) throws IOException {
        int total = 12 + body.capacity();
        ByteBuffer block = buffer(total);
        block.putInt(type).putInt(total).put(body.array()).putInt(total);
        out.write(block.array());
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    private static ByteBuffer buffer(int length) {
        return ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int padded(int length) {
        return (length + 3) & ~3;
    }

    /** Options of one block, each padded to 32 bits, ended by opt_endofopt. */
    private static final class Options {
        private final ByteBuffer data = buffer(4096);

        Options text(short code, String value) {
            return value == null || value.isEmpty() ? this : bytes(code, value.getBytes(StandardCharsets.UTF_8));
        }

        Options bytes(short code, byte[] value) {
            data.putShort(code).putShort((short) value.length).put(value);
            data.position(data.position() + padded(value.length) - value.length);
            return this;
        }

        int length() {
            return data.position() == 0 ? 0 : data.position() + 4;
        }

        void writeTo(ByteBuffer block) {
            if (data.position() > 0) {
                block.put(data.array(), 0, data.position()).putShort(OPT_END).putShort((short) 0);
            }
        }
    }
}
