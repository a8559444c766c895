package dev.wirewatch.sensor.decode;

/** ARP for Ethernet and IPv4 (hardware type 1, protocol 0x0800, lengths 6 and 4); other kinds are ignored. */
final class ArpDecoder {
    private ArpDecoder() {}

    static Decoded decode(Decoded.Link link, byte[] data, int offset, int length) {
        if (offset + 8 > length) {
            return new Decoded.Malformed("arp: header truncated");
        }
        int hardwareLength = Bytes.u8(data, offset + 4);
        int protocolLength = Bytes.u8(data, offset + 5);
        if (Bytes.u16(data, offset) != 1 || Bytes.u16(data, offset + 2) != LinkLayerDecoder.ETHERTYPE_IPV4
                || hardwareLength != 6 || protocolLength != 4) {
            return new Decoded.Ignored("arp: not Ethernet/IPv4");
        }
        if (offset + 28 > length) {
            return new Decoded.Malformed("arp: addresses truncated");
        }
        return new Decoded.ArpPacket(link, Bytes.u16(data, offset + 6), Bytes.copy(data, offset + 8, 6),
                Bytes.copy(data, offset + 14, 4), Bytes.copy(data, offset + 18, 6), Bytes.copy(data, offset + 24, 4));
    }
}
