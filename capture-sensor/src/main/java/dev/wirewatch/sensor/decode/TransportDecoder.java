package dev.wirewatch.sensor.decode;

/** TCP (with the options detectors use: MSS, window scale, SACK-permitted, timestamps) and UDP. */
final class TransportDecoder {
    private static final int OPTION_END = 0;
    private static final int OPTION_NOP = 1;
    private static final int OPTION_MSS = 2;
    private static final int OPTION_WINDOW_SCALE = 3;
    private static final int OPTION_SACK_PERMITTED = 4;
    private static final int OPTION_TIMESTAMPS = 8;

    private TransportDecoder() {}

    static Decoded tcp(Decoded.Link link, IpDecoder.Header ip, byte[] data, int length) {
        int offset = ip.transportOffset();
        if (offset + 20 > length) {
            return new Decoded.Malformed("tcp: header truncated");
        }
        int headerLength = (Bytes.u8(data, offset + 12) >> 4) * 4;
        if (headerLength < 20 || headerLength > ip.transportLength()) {
            return new Decoded.Malformed("tcp: header length " + headerLength);
        }
        int flags = Bytes.u16(data, offset + 12) & 0x01ff;
        Integer mss = null;
        Integer windowScale = null;
        boolean sackPermitted = false;
        Long tsVal = null;
        Long tsEcr = null;
        int optionsEnd = Math.min(offset + headerLength, length);
        int cursor = offset + 20;
        while (cursor < optionsEnd) {
            int kind = Bytes.u8(data, cursor);
            if (kind == OPTION_END) {
                break;
            }
            if (kind == OPTION_NOP) {
                cursor++;
                continue;
            }
            if (cursor + 1 >= optionsEnd) {
                break;
            }
            int optionLength = Bytes.u8(data, cursor + 1);
            if (optionLength < 2 || cursor + optionLength > optionsEnd) {
                break; // a bad option length ends option parsing, as in tcpdump; the header itself is fine
            }
            switch (kind) {
                case OPTION_MSS -> mss = optionLength == 4 ? Bytes.u16(data, cursor + 2) : null;
                case OPTION_WINDOW_SCALE -> windowScale = optionLength == 3 ? Bytes.u8(data, cursor + 2) : null;
                case OPTION_SACK_PERMITTED -> sackPermitted = optionLength == 2;
                case OPTION_TIMESTAMPS -> {
                    if (optionLength == 10) {
                        tsVal = Bytes.u32(data, cursor + 2);
                        tsEcr = Bytes.u32(data, cursor + 6);
                    }
                }
                default -> { }
            }
            cursor += optionLength;
        }
        Decoded.Tcp tcp = new Decoded.Tcp(flags, Bytes.u32(data, offset + 4), Bytes.u32(data, offset + 8),
                Bytes.u16(data, offset + 14), ip.transportLength() - headerLength, mss, windowScale, sackPermitted,
                tsVal, tsEcr);
        return new Decoded.IpPacket(link, ip.version(), ip.src(), ip.dst(), ip.protocol(), ip.ttl(), ip.totalLength(),
                Bytes.u16(data, offset), Bytes.u16(data, offset + 2), tcp, null);
    }

    static Decoded udp(Decoded.Link link, IpDecoder.Header ip, byte[] data, int length) {
        int offset = ip.transportOffset();
        if (offset + 8 > length || ip.transportLength() < 8) {
            return new Decoded.Malformed("udp: header truncated");
        }
        return new Decoded.IpPacket(link, ip.version(), ip.src(), ip.dst(), ip.protocol(), ip.ttl(), ip.totalLength(),
                Bytes.u16(data, offset), Bytes.u16(data, offset + 2), null, null);
    }
}
