package dev.wirewatch.sensor.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the interface names (if_name options of Interface Description Blocks) of a pcapng file, which libpcap
 * does not expose. Reads block headers only, up to the first packet block.
 */
final class PcapngInterfaces {
    private static final int SECTION_HEADER = 0x0a0d0d0a;
    private static final int INTERFACE_DESCRIPTION = 1;
    private static final int OPTION_IF_NAME = 2;
    private static final int MAX_HEADER_BYTES = 1 << 20;

    private PcapngInterfaces() {}

    /** The name of the file's only interface; empty when there are several, none, or no name. */
    static String singleName(Path file) {
        List<String> names = names(file);
        return names.size() == 1 ? names.get(0) : "";
    }

    static List<String> names(Path file) {
        List<String> names = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(file)) {
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(channel.size(), MAX_HEADER_BYTES));
            channel.read(buffer);
            buffer.flip();
            ByteOrder order = ByteOrder.LITTLE_ENDIAN;
            while (buffer.remaining() >= 12) {
                int start = buffer.position();
                int type = buffer.order(ByteOrder.BIG_ENDIAN).getInt(start);
                if (type == SECTION_HEADER) {
                    order = buffer.getInt(start + 8) == 0x1a2b3c4d ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
                }
                buffer.order(order);
                type = buffer.getInt(start);
                int length = buffer.getInt(start + 4);
                if (length < 12 || length % 4 != 0 || start + length > buffer.limit()) {
                    break;
                }
                if (type == INTERFACE_DESCRIPTION) {
                    names.add(ifName(buffer, start + 16, start + length - 4));
                } else if (type != SECTION_HEADER) {
                    break; // packets start: no more interfaces worth reading for naming
                }
                buffer.position(start + length);
            }
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        return names;
    }

    private static String ifName(ByteBuffer buffer, int offset, int end) {
        while (offset + 4 <= end) {
            int code = buffer.getShort(offset) & 0xffff;
            int length = buffer.getShort(offset + 2) & 0xffff;
            if (code == 0 || offset + 4 + length > end) {
                break;
            }
            if (code == OPTION_IF_NAME) {
                byte[] name = new byte[length];
                buffer.get(offset + 4, name);
                return new String(name, StandardCharsets.UTF_8).replace("\0", "");
            }
            offset += 4 + ((length + 3) & ~3);
        }
        return "";
    }
}
