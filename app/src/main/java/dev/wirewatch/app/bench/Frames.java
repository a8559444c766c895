package dev.wirewatch.app.bench;

import dev.wirewatch.schemas.FlowKey;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Encodes the frames benchmark captures hold: Ethernet, then IPv4 (DF, TTL 64, header checksum) or IPv6 (hop limit
 * 64), then a TCP, UDP or ICMP header with its checksum. Payload the snaplen would cut is left out of the bytes
 * but counted in the IP length, as a headers-only capture records it; transport checksums count it as zeros, so
 * packets captured whole (DNS, ICMP) check out in tshark and cut ones at least carry a plausible value.
 */
final class Frames {
    static final int ETHERNET = 14;
    private static final byte[] CLIENT_SIDE_MAC = {2, 0, 0, 0, 0, 2};
    private static final byte[] SERVER_SIDE_MAC = {2, 0, 0, 0, 0, 1};

    private Frames() {}

    /**
     * An IP packet in an Ethernet frame. {@code transport} is the transport header plus whatever payload is
     * captured; {@code absent} more payload bytes follow on the wire only. IPv4 or IPv6 follows the address length.
     */
    static Frame ip(byte[] src, byte[] dst, boolean fromClient, int protocol, int ipId, byte[] transport, int absent) {
        boolean v4 = src.length == 4;
        int ipHeader = v4 ? 20 : 40;
        int transportLength = transport.length + absent;
        byte[] frame = new byte[ETHERNET + ipHeader + transport.length];
        ByteBuffer buffer = ByteBuffer.wrap(frame);
        buffer.put(fromClient ? SERVER_SIDE_MAC : CLIENT_SIDE_MAC).put(fromClient ? CLIENT_SIDE_MAC : SERVER_SIDE_MAC)
                .putShort((short) (v4 ? 0x0800 : 0x86dd));
        if (v4) {
            buffer.put((byte) 0x45).put((byte) 0).putShort((short) (20 + transportLength)).putShort((short) ipId)
                    .putShort((short) 0x4000).put((byte) 64).put((byte) protocol).putShort((short) 0).put(src).put(dst);
            buffer.putShort(ETHERNET + 10, fold(sum(frame, ETHERNET, 20)));
        } else {
            buffer.putInt(0x6000_0000).putShort((short) transportLength).put((byte) protocol).put((byte) 64)
                    .put(src).put(dst);
        }
        int transportStart = buffer.position();
        buffer.put(transport);
        long sum = sum(transport, 0, transport.length);
        if (protocol != FlowKey.ICMP) { // ICMPv4 alone has no pseudo-header
            sum += sum(src, 0, src.length) + sum(dst, 0, dst.length) + protocol + transportLength;
        }
        short checksum = fold(sum);
        if (protocol == FlowKey.UDP && checksum == 0) {
            checksum = (short) 0xffff; // zero would mean "no checksum", which IPv6 forbids
        }
        buffer.putShort(transportStart + checksumOffset(protocol), checksum);
        int original = frame.length + absent;
        return new Frame(frame.length > PcapWriter.SNAPLEN ? Arrays.copyOf(frame, PcapWriter.SNAPLEN) : frame, original);
    }

    /** A TCP header; {@code options} is a multiple of four bytes long. The checksum is filled in by {@link #ip}. */
    static byte[] tcp(int srcPort, int dstPort, long seq, long ack, int flags, int window, byte[] options) {
        int length = 20 + options.length;
        return ByteBuffer.allocate(length).putShort((short) srcPort).putShort((short) dstPort).putInt((int) seq)
                .putInt((int) ack).put((byte) ((length / 4) << 4)).put((byte) flags).putShort((short) window)
                .putShort((short) 0).putShort((short) 0).put(options).array();
    }

    /** A SYN's or SYN-ACK's options in the order Linux sends them: MSS, SACK permitted, timestamps, NOP, window scale. */
    static byte[] synOptions(int mss, long tsVal, long tsEcr, int windowScale) {
        return ByteBuffer.allocate(20).put((byte) 2).put((byte) 4).putShort((short) mss).put((byte) 4).put((byte) 2)
                .put((byte) 8).put((byte) 10).putInt((int) tsVal).putInt((int) tsEcr)
                .put((byte) 1).put((byte) 3).put((byte) 3).put((byte) windowScale).array();
    }

    /** NOP, NOP, timestamps: what Linux puts on every segment after the handshake. */
    static byte[] timestampOptions(long tsVal, long tsEcr) {
        return ByteBuffer.allocate(12).put((byte) 1).put((byte) 1).put((byte) 8).put((byte) 10).putInt((int) tsVal)
                .putInt((int) tsEcr).array();
    }

    /** A UDP header and the captured payload; {@code absent} more payload bytes are counted in its length. */
    static byte[] udp(int srcPort, int dstPort, byte[] payload, int absent) {
        return ByteBuffer.allocate(8 + payload.length).putShort((short) srcPort).putShort((short) dstPort)
                .putShort((short) (8 + payload.length + absent)).putShort((short) 0).put(payload).array();
    }

    /** An ICMP or ICMPv6 message: type, code, the four type-specific bytes, and the body. */
    static byte[] icmp(int type, int code, int rest, byte[] body) {
        return ByteBuffer.allocate(8 + body.length).put((byte) type).put((byte) code).putShort((short) 0).putInt(rest)
                .put(body).array();
    }

    private static int checksumOffset(int protocol) {
        return switch (protocol) {
            case FlowKey.TCP -> 16;
            case FlowKey.UDP -> 6;
            default -> 2;
        };
    }

    /** The one's-complement sum of 16-bit words, unfolded; an odd last byte is padded with zero. */
    private static long sum(byte[] data, int offset, int length) {
        long sum = 0;
        int end = offset + length;
        for (int i = offset; i < end; i += 2) {
            sum += ((data[i] & 0xff) << 8) | (i + 1 < end ? data[i + 1] & 0xff : 0);
        }
        return sum;
    }

    private static short fold(long sum) {
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (short) ~sum;
    }
}
