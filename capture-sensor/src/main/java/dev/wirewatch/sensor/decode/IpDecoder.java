package dev.wirewatch.sensor.decode;

/**
 * IPv4 (header options skipped, fragments: only the first carries the transport header) and IPv6 (hop-by-hop,
 * routing, destination-options and fragment extension headers skipped). Lengths come from the header, not from
 * the captured bytes, so a small snaplen still gives true payload sizes.
 */
final class IpDecoder {
    /** The network header as far as the transport layer needs it. */
    record Header(int version, byte[] src, byte[] dst, int protocol, int ttl, int totalLength, int transportOffset,
                  int transportLength, boolean laterFragment) {}

    private IpDecoder() {}

    /** Decodes the IP header at {@code offset}; returns a Header, or a Malformed. */
    static Object decode(byte[] data, int offset, int length, int ethertype) {
        return ethertype == LinkLayerDecoder.ETHERTYPE_IPV6 ? ipv6(data, offset, length) : ipv4(data, offset, length);
    }

    private static Object ipv4(byte[] data, int offset, int length) {
        if (offset + 20 > length) {
            return new Decoded.Malformed("ipv4: header truncated");
        }
        int versionIhl = Bytes.u8(data, offset);
        if (versionIhl >> 4 != 4) {
            return new Decoded.Malformed("ipv4: version " + (versionIhl >> 4));
        }
        int headerLength = (versionIhl & 0x0f) * 4;
        int totalLength = Bytes.u16(data, offset + 2);
        if (headerLength < 20 || totalLength < headerLength) {
            return new Decoded.Malformed("ipv4: header length " + headerLength + ", total length " + totalLength);
        }
        if (offset + headerLength > length) {
            return new Decoded.Malformed("ipv4: options truncated");
        }
        int fragment = Bytes.u16(data, offset + 6) & 0x1fff;
        return new Header(4, Bytes.copy(data, offset + 12, 4), Bytes.copy(data, offset + 16, 4),
                Bytes.u8(data, offset + 9), Bytes.u8(data, offset + 8), totalLength, offset + headerLength,
                totalLength - headerLength, fragment != 0);
    }

    private static Object ipv6(byte[] data, int offset, int length) {
        if (offset + 40 > length) {
            return new Decoded.Malformed("ipv6: header truncated");
        }
        if (Bytes.u8(data, offset) >> 4 != 6) {
            return new Decoded.Malformed("ipv6: version " + (Bytes.u8(data, offset) >> 4));
        }
        int payloadLength = Bytes.u16(data, offset + 4);
        int next = Bytes.u8(data, offset + 6);
        int hopLimit = Bytes.u8(data, offset + 7);
        byte[] src = Bytes.copy(data, offset + 8, 16);
        byte[] dst = Bytes.copy(data, offset + 24, 16);
        int cursor = offset + 40;
        int remaining = payloadLength;
        boolean laterFragment = false;
        for (int hops = 0; hops < 8; hops++) {
            if (next == 0 || next == 43 || next == 60) { // hop-by-hop, routing, destination options
                if (cursor + 2 > length) {
                    return new Decoded.Malformed("ipv6: extension header truncated");
                }
                int extensionLength = (Bytes.u8(data, cursor + 1) + 1) * 8;
                next = Bytes.u8(data, cursor);
                cursor += extensionLength;
                remaining -= extensionLength;
            } else if (next == 44) { // fragment
                if (cursor + 8 > length) {
                    return new Decoded.Malformed("ipv6: fragment header truncated");
                }
                laterFragment = (Bytes.u16(data, cursor + 2) & 0xfff8) != 0;
                next = Bytes.u8(data, cursor);
                cursor += 8;
                remaining -= 8;
            } else {
                break;
            }
        }
        if (remaining < 0) {
            return new Decoded.Malformed("ipv6: extension headers exceed the payload length");
        }
        return new Header(6, src, dst, next, hopLimit, payloadLength + 40, cursor, remaining, laterFragment);
    }
}
