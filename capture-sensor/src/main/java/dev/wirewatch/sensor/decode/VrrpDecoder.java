package dev.wirewatch.sensor.decode;

import java.util.ArrayList;
import java.util.List;

/**
 * VRRP advertisements (IP protocol 112): version 2 (RFC 3768: IPv4 only, authentication type, interval in seconds)
 * and version 3 (RFC 5798: IPv4 or IPv6, interval in centiseconds). Addresses the snapshot length cut off are left
 * out (the count says how many were sent); a list longer than the IP payload is malformed. The v2 authentication
 * string is not read: it is a password.
 */
final class VrrpDecoder {
    private static final int HEADER = 8;

    private VrrpDecoder() {}

    static Decoded decode(Decoded.Link link, IpDecoder.Header ip, byte[] data, int length) {
        int offset = ip.transportOffset();
        if (ip.transportLength() < HEADER || offset + HEADER > length) {
            return new Decoded.Malformed("vrrp: header truncated");
        }
        int version = Bytes.u8(data, offset) >> 4;
        int type = Bytes.u8(data, offset) & 0x0f;
        if (version != 2 && version != 3 || version == 2 && ip.version() != 4) {
            return new Decoded.Malformed("vrrp: version " + version + " over IPv" + ip.version());
        }
        if (type != 1) {
            return new Decoded.Malformed("vrrp: type " + type);
        }
        int count = Bytes.u8(data, offset + 3);
        int size = ip.version() == 4 ? 4 : 16;
        if (HEADER + count * size > ip.transportLength()) {
            return new Decoded.Malformed("vrrp: " + count + " addresses exceed the IP payload");
        }
        List<byte[]> addresses = new ArrayList<>(count);
        for (int at = offset + HEADER; addresses.size() < count && at + size <= length; at += size) {
            addresses.add(Bytes.copy(data, at, size));
        }
        boolean v2 = version == 2;
        int interval = v2 ? Bytes.u8(data, offset + 5) * 100 : Bytes.u16(data, offset + 4) & 0x0fff;
        Decoded.Vrrp vrrp = new Decoded.Vrrp(version, type, Bytes.u8(data, offset + 1), Bytes.u8(data, offset + 2),
                interval, v2 ? Bytes.u8(data, offset + 4) : null, count, addresses);
        return new Decoded.VrrpPacket(link, ip.version(), ip.src(), ip.dst(), ip.ttl(), vrrp);
    }
}
