package dev.wirewatch.sensor.decode;

/**
 * The link layers wirewatch reads: Ethernet II with 802.1Q/802.1ad tags, Linux cooked capture v1 (SLL) and v2
 * (SLL2), raw IP, and BSD loopback. Finds the network-layer protocol and where it starts.
 */
final class LinkLayerDecoder {
    static final int DLT_NULL = 0;
    static final int DLT_EN10MB = 1;
    static final int DLT_RAW = 12;
    static final int DLT_RAW_OPENBSD = 14;
    static final int DLT_LOOP = 108;
    static final int DLT_RAW_LINKTYPE = 101;
    static final int DLT_LINUX_SLL = 113;
    static final int DLT_IPV4 = 228;
    static final int DLT_IPV6 = 229;
    static final int DLT_LINUX_SLL2 = 276;

    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_ARP = 0x0806;
    static final int ETHERTYPE_IPV6 = 0x86dd;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_QINQ = 0x88a8;
    private static final int ETHERTYPE_QINQ_OLD = 0x9100;

    /** Where the network layer starts, its ethertype, and the link facts; or why there is none. */
    record Result(int ethertype, int offset, Decoded.Link link, Decoded notNetwork) {
        static Result of(int ethertype, int offset, Decoded.Link link) {
            return new Result(ethertype, offset, link, null);
        }

        static Result stop(Decoded why) {
            return new Result(0, 0, null, why);
        }
    }

    private LinkLayerDecoder() {}

    static Result decode(int linkType, byte[] data, int length) {
        return switch (linkType) {
            case DLT_EN10MB -> ethernet(data, length);
            case DLT_LINUX_SLL -> sll(data, length);
            case DLT_LINUX_SLL2 -> sll2(data, length);
            case DLT_RAW, DLT_RAW_OPENBSD, DLT_RAW_LINKTYPE -> raw(data, length);
            case DLT_IPV4 -> Result.of(ETHERTYPE_IPV4, 0, Decoded.Link.NONE);
            case DLT_IPV6 -> Result.of(ETHERTYPE_IPV6, 0, Decoded.Link.NONE);
            case DLT_NULL, DLT_LOOP -> loopback(data, length);
            default -> Result.stop(new Decoded.Ignored("link type " + linkType));
        };
    }

    private static Result ethernet(byte[] data, int length) {
        if (length < 14) {
            return Result.stop(new Decoded.Malformed("ethernet: " + length + " bytes"));
        }
        byte[] dst = Bytes.copy(data, 0, 6);
        byte[] src = Bytes.copy(data, 6, 6);
        int offset = 12;
        int ethertype = Bytes.u16(data, offset);
        Integer vlan = null;
        while (ethertype == ETHERTYPE_VLAN || ethertype == ETHERTYPE_QINQ || ethertype == ETHERTYPE_QINQ_OLD) {
            if (offset + 6 > length) {
                return Result.stop(new Decoded.Malformed("802.1Q tag truncated"));
            }
            if (vlan == null) {
                vlan = Bytes.u16(data, offset + 2) & 0x0fff;
            }
            offset += 4;
            ethertype = Bytes.u16(data, offset);
        }
        if (ethertype < 0x0600) {
            return Result.stop(new Decoded.Ignored("802.3 length field (LLC)"));
        }
        return Result.of(ethertype, offset + 2, new Decoded.Link(src, dst, vlan));
    }

    /** Linux cooked v1: packet type, ARPHRD type, address length, 8-byte address, protocol. */
    private static Result sll(byte[] data, int length) {
        if (length < 16) {
            return Result.stop(new Decoded.Malformed("linux cooked (SLL): " + length + " bytes"));
        }
        int addressLength = Bytes.u16(data, 4);
        byte[] src = addressLength == 6 ? Bytes.copy(data, 6, 6) : null;
        return Result.of(Bytes.u16(data, 14), 16, new Decoded.Link(src, null, null));
    }

    /** Linux cooked v2: protocol first, then interface index, ARPHRD type, packet type, address length, address. */
    private static Result sll2(byte[] data, int length) {
        if (length < 20) {
            return Result.stop(new Decoded.Malformed("linux cooked (SLL2): " + length + " bytes"));
        }
        int addressLength = Bytes.u8(data, 11);
        byte[] src = addressLength == 6 ? Bytes.copy(data, 12, 6) : null;
        return Result.of(Bytes.u16(data, 0), 20, new Decoded.Link(src, null, null));
    }

    private static Result raw(byte[] data, int length) {
        if (length < 1) {
            return Result.stop(new Decoded.Malformed("raw IP: empty"));
        }
        int version = Bytes.u8(data, 0) >> 4;
        return switch (version) {
            case 4 -> Result.of(ETHERTYPE_IPV4, 0, Decoded.Link.NONE);
            case 6 -> Result.of(ETHERTYPE_IPV6, 0, Decoded.Link.NONE);
            default -> Result.stop(new Decoded.Malformed("raw IP: version " + version));
        };
    }

    /** BSD loopback: a 4-byte address family in host byte order, then IP; the IP version nibble decides. */
    private static Result loopback(byte[] data, int length) {
        if (length < 5) {
            return Result.stop(new Decoded.Malformed("loopback: " + length + " bytes"));
        }
        int version = Bytes.u8(data, 4) >> 4;
        return switch (version) {
            case 4 -> Result.of(ETHERTYPE_IPV4, 4, Decoded.Link.NONE);
            case 6 -> Result.of(ETHERTYPE_IPV6, 4, Decoded.Link.NONE);
            default -> Result.stop(new Decoded.Ignored("loopback: not IP"));
        };
    }
}
