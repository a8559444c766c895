package dev.wirewatch.sensor.capture;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * pcapng written byte by byte, in either byte order, for what no tool at hand writes (big-endian sections, binary
 * timestamp resolutions, simple and obsolete packet blocks, foreign blocks, damage). The tests compare every file
 * it makes with tshark's reading of it, so a mistake here shows as a disagreement, not as a false pass.
 */
final class PcapngBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<Integer> offsets = new ArrayList<>();
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;

    /** A Section Header Block, version 1.0, with an shb_userappl option. */
    PcapngBuilder section(ByteOrder byteOrder) {
        order = byteOrder;
        byte[] options = options(option(4, "wirewatch test".getBytes(StandardCharsets.UTF_8)));
        return block(0x0a0d0d0a, buffer(16 + options.length).putInt(0x1a2b3c4d).putShort((short) 1).putShort((short) 0)
                .putLong(-1).put(options));
    }

    /**
     * An Interface Description Block.
     *
     * @param name     if_name, or null for none
     * @param tsresol  if_tsresol, or null for none (microseconds)
     * @param tsoffset if_tsoffset in seconds, or 0 for none
     */
    PcapngBuilder iface(int linkType, int snapLength, String name, Integer tsresol, long tsoffset) {
        List<byte[]> options = new ArrayList<>();
        if (name != null) {
            options.add(option(2, name.getBytes(StandardCharsets.UTF_8)));
        }
        if (tsresol != null) {
            options.add(option(9, new byte[] {tsresol.byteValue()}));
        }
        if (tsoffset != 0) {
            options.add(option(14, buffer(8).putLong(tsoffset).array()));
        }
        byte[] encoded = options(options.toArray(byte[][]::new));
        return block(1, buffer(8 + encoded.length).putShort((short) linkType).putShort((short) 0).putInt(snapLength)
                .put(encoded));
    }

    PcapngBuilder enhanced(int iface, long ticks, byte[] data, int originalLength) {
        return block(6, buffer(20 + padded(data.length)).putInt(iface).putInt((int) (ticks >>> 32)).putInt((int) ticks)
                .putInt(data.length).putInt(originalLength).put(data));
    }

    /** The obsolete Packet Block (type 2): a 16-bit interface id and a drop count where EPB has its 32-bit id. */
    PcapngBuilder obsolete(int iface, long ticks, byte[] data, int originalLength) {
        return block(2, buffer(20 + padded(data.length)).putShort((short) iface).putShort((short) 0)
                .putInt((int) (ticks >>> 32)).putInt((int) ticks).putInt(data.length).putInt(originalLength).put(data));
    }

    /** A Simple Packet Block: {@code data} is what it holds (the original length cut to the snapshot length). */
    PcapngBuilder simple(byte[] data, int originalLength) {
        return block(3, buffer(4 + padded(data.length)).putInt(originalLength).put(data));
    }

    /** Any block, its body given whole (padded to 4 bytes here). */
    PcapngBuilder block(int type, byte[] body) {
        return block(type, buffer(padded(body.length)).put(body));
    }

    private PcapngBuilder block(int type, ByteBuffer body) {
        int length = 12 + body.capacity();
        offsets.add(out.size());
        out.writeBytes(buffer(length).putInt(type).putInt(length).put(body.array()).putInt(length).array());
        return this;
    }

    /** The byte offset of the n-th block written (0-based). */
    int offsetOf(int block) {
        return offsets.get(block);
    }

    ByteOrder order() {
        return order;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    Path write(Path file) throws IOException {
        return Files.write(file, bytes());
    }

    private byte[] option(int code, byte[] value) {
        return buffer(4 + padded(value.length)).putShort((short) code).putShort((short) value.length).put(value).array();
    }

    /** The options and the end-of-options option, or nothing when there are none. */
    private byte[] options(byte[]... options) {
        if (options.length == 0) {
            return new byte[0];
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] option : options) {
            all.writeBytes(option);
        }
        all.writeBytes(new byte[4]);
        return all.toByteArray();
    }

    private ByteBuffer buffer(int bytes) {
        return ByteBuffer.allocate(bytes).order(order);
    }

    private static int padded(int length) {
        return (length + 3) & ~3;
    }
}
