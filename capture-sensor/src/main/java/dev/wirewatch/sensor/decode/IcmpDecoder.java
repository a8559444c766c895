package dev.wirewatch.sensor.decode;

import dev.wirewatch.schemas.FlowKey;

/**
 * ICMP and ICMPv6: type, code, echo identifier, redirect gateway / target, and for error messages and redirects the
 * header of the packet they quote (addresses, protocol, ports, TCP sequence), so an error joins the flow it is about.
 * An ICMPv6 redirect quotes it in its redirected-header option (RFC 4861 4.5), after the target's link-layer address.
 */
final class IcmpDecoder {
    private static final int TARGET_LINK_LAYER_ADDRESS = 2;
    private static final int REDIRECTED_HEADER = 4;

    private IcmpDecoder() {}

    static Decoded icmp(Decoded.Link link, IpDecoder.Header ip, byte[] data, int length, boolean v6) {
        int offset = ip.transportOffset();
        if (offset + 8 > length || ip.transportLength() < 8) {
            return new Decoded.Malformed((v6 ? "icmp6" : "icmp") + ": header truncated");
        }
        int type = Bytes.u8(data, offset);
        int code = Bytes.u8(data, offset + 1);
        Integer identifier = null;
        byte[] gateway = null;
        byte[] redirectDestination = null;
        byte[] targetMac = null;
        Decoded.Quoted quoted = null;
        if (isEcho(type, v6)) {
            identifier = Bytes.u16(data, offset + 4);
        }
        if (!v6 && type == 5) {
            gateway = Bytes.copy(data, offset + 4, 4);
        }
        if (v6 && type == 137) {
            if (ip.transportLength() < 40) {
                return new Decoded.Malformed("icmp6 redirect: shorter than its target and destination");
            }
            if (offset + 40 > length) {
                return new Decoded.Malformed("icmp6 redirect: truncated");
            }
            gateway = Bytes.copy(data, offset + 8, 16);
            redirectDestination = Bytes.copy(data, offset + 24, 16);
            int end = offset + ip.transportLength();
            // A small snaplen may cut the redirected header short (quoted() reads what there is); an option that
            // runs past the message itself is damage (RFC 4861 8.1: discard), as in NeighborDiscoveryDecoder.
            int captured = Math.min(length, end);
            for (int option = offset + 40; option + 2 <= captured; ) {
                int optionEnd = option + Bytes.u8(data, option + 1) * 8;
                if (optionEnd == option || optionEnd > end) {
                    return new Decoded.Malformed("icmp6 redirect: option length " + (optionEnd - option));
                }
                int optionType = Bytes.u8(data, option);
                if (optionType == TARGET_LINK_LAYER_ADDRESS && option + 8 <= captured) {
                    targetMac = Bytes.copy(data, option + 2, 6);
                } else if (optionType == REDIRECTED_HEADER) {
                    quoted = quoted(data, option + 8, Math.min(captured, optionEnd), true);
                }
                option = optionEnd;
            }
        }
        if (isError(type, v6)) {
            quoted = quoted(data, offset + 8, length, v6);
        }
        Decoded.Icmp icmp = new Decoded.Icmp(type, code, identifier, gateway, redirectDestination, targetMac,
                quoted);
        return new Decoded.IpPacket(link, ip.version(), ip.src(), ip.dst(), ip.protocol(), ip.ttl(), ip.totalLength(),
                0, 0, null, icmp);
    }

    private static boolean isEcho(int type, boolean v6) {
        return v6 ? type == 128 || type == 129 : type == 0 || type == 8;
    }

    private static boolean isError(int type, boolean v6) {
        return v6 ? type >= 1 && type <= 4 : type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    }

    /** The quoted header, or null when too little of it was captured to know the flow. */
    private static Decoded.Quoted quoted(byte[] data, int offset, int length, boolean v6) {
        byte[] src;
        byte[] dst;
        int protocol;
        int transport;
        if (v6) {
            if (offset + 40 > length || Bytes.u8(data, offset) >> 4 != 6) {
                return null;
            }
            src = Bytes.copy(data, offset + 8, 16);
            dst = Bytes.copy(data, offset + 24, 16);
            protocol = Bytes.u8(data, offset + 6);
            transport = offset + 40;
        } else {
            if (offset + 20 > length || Bytes.u8(data, offset) >> 4 != 4) {
                return null;
            }
            int headerLength = (Bytes.u8(data, offset) & 0x0f) * 4;
            if (headerLength < 20) {
                return null;
            }
            src = Bytes.copy(data, offset + 12, 4);
            dst = Bytes.copy(data, offset + 16, 4);
            protocol = Bytes.u8(data, offset + 9);
            transport = offset + headerLength;
        }
        int srcPort = 0;
        int dstPort = 0;
        Long seq = null;
        boolean hasPorts = protocol == FlowKey.TCP || protocol == FlowKey.UDP;
        if (hasPorts && transport + 4 <= length) {
            srcPort = Bytes.u16(data, transport);
            dstPort = Bytes.u16(data, transport + 2);
        }
        boolean quotesIcmp = protocol == (v6 ? FlowKey.ICMPV6 : FlowKey.ICMP);
        if (quotesIcmp && transport + 8 <= length && isEcho(Bytes.u8(data, transport), v6)) {
            // An error about an echo (a redirect for a ping) joins the echo's flow, keyed by its identifier.
            srcPort = Bytes.u16(data, transport + 4);
            dstPort = srcPort;
        }
        if (protocol == FlowKey.TCP && transport + 8 <= length) {
            seq = Bytes.u32(data, transport + 4);
        }
        return new Decoded.Quoted(src, dst, protocol, srcPort, dstPort, seq);
    }
}
