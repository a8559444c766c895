package dev.wirewatch.sensor.decode;

import dev.wirewatch.schemas.FlowKey;

/**
 * IPv6 neighbour discovery (RFC 4861): Neighbor Solicitation (135) and Advertisement (136), with their target, the
 * advertisement's flags and the source / target link-layer address option. A message RFC 4861 says to discard (hop
 * limit not 255, code not 0) is left to the ICMPv6 decoder as plain traffic: it binds nothing.
 */
final class NeighborDiscoveryDecoder {
    private static final int SOLICITATION = FlowKey.NEIGHBOR_SOLICITATION;
    private static final int ADVERTISEMENT = FlowKey.NEIGHBOR_ADVERTISEMENT;
    private static final int SOURCE_LINK_LAYER = 1;
    private static final int TARGET_LINK_LAYER = 2;

    private NeighborDiscoveryDecoder() {}

    /** True for a valid-looking NS or NA; what it cannot read yet, {@link #decode} judges. */
    static boolean isNeighborDiscovery(IpDecoder.Header ip, byte[] data, int length) {
        int offset = ip.transportOffset();
        if (offset + 2 > length) {
            return false;
        }
        int type = Bytes.u8(data, offset);
        return (type == SOLICITATION || type == ADVERTISEMENT) && Bytes.u8(data, offset + 1) == 0 && ip.ttl() == 255;
    }

    static Decoded decode(Decoded.Link link, IpDecoder.Header ip, byte[] data, int length) {
        int offset = ip.transportOffset();
        int type = Bytes.u8(data, offset);
        String name = type == SOLICITATION ? "nd solicitation" : "nd advertisement";
        if (ip.transportLength() < 24) {
            return new Decoded.Malformed(name + ": shorter than its target");
        }
        if (offset + 24 > length) {
            return new Decoded.Malformed(name + ": truncated");
        }
        int flags = type == ADVERTISEMENT ? Bytes.u8(data, offset + 4) & 0xe0 : 0;
        byte[] target = Bytes.copy(data, offset + 8, 16);
        byte[] linkLayer = null;
        int wanted = type == SOLICITATION ? SOURCE_LINK_LAYER : TARGET_LINK_LAYER;
        int end = offset + ip.transportLength();
        for (int option = offset + 24; option < end; ) {
            if (option + 2 > length) {
                return new Decoded.Malformed(name + ": options truncated");
            }
            int optionLength = Bytes.u8(data, option + 1) * 8;
            if (optionLength == 0 || option + optionLength > end) {
                return new Decoded.Malformed(name + ": option length " + optionLength); // RFC 4861 4.6: discard
            }
            if (option + optionLength > length) {
                return new Decoded.Malformed(name + ": options truncated");
            }
            if (Bytes.u8(data, option) == wanted && optionLength == 8 && linkLayer == null) {
                linkLayer = Bytes.copy(data, option + 2, 6); // Ethernet: one 8-byte unit
            }
            option += optionLength;
        }
        return new Decoded.NeighborPacket(link, ip.src(), ip.dst(), type, flags, target, linkLayer);
    }
}
