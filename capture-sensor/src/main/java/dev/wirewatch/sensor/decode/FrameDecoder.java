package dev.wirewatch.sensor.decode;

import dev.wirewatch.schemas.FlowKey;
import dev.wirewatch.sensor.capture.CapturedFrame;

/**
 * Decodes one captured frame, layer by layer (link, network, transport), each layer checking its bounds before
 * it reads. No byte sequence makes it throw: what cannot be decoded comes back as {@link Decoded.Malformed} and
 * is counted. Not thread-safe (counters); one per capture thread.
 */
public final class FrameDecoder {
    private long decoded;
    private long ignored;
    private long malformed;

    public Decoded decode(CapturedFrame frame) {
        Decoded result = decode(frame.linkType(), frame.data(), frame.data().length);
        if (result instanceof Decoded.Malformed) {
            malformed++;
        } else if (result instanceof Decoded.Ignored) {
            ignored++;
        } else {
            decoded++;
        }
        return result;
    }

    private static Decoded decode(int linkType, byte[] data, int length) {
        LinkLayerDecoder.Result link = LinkLayerDecoder.decode(linkType, data, length);
        if (link.notNetwork() != null) {
            return link.notNetwork();
        }
        return switch (link.ethertype()) {
            case LinkLayerDecoder.ETHERTYPE_ARP -> ArpDecoder.decode(link.link(), data, link.offset(), length);
            case LinkLayerDecoder.ETHERTYPE_IPV4, LinkLayerDecoder.ETHERTYPE_IPV6 -> network(link, data, length);
            default -> new Decoded.Ignored(String.format("ethertype 0x%04x", link.ethertype()));
        };
    }

    private static Decoded network(LinkLayerDecoder.Result link, byte[] data, int length) {
        Object header = IpDecoder.decode(data, link.offset(), length, link.ethertype());
        if (header instanceof Decoded.Malformed malformed) {
            return malformed;
        }
        IpDecoder.Header ip = (IpDecoder.Header) header;
        if (ip.laterFragment()) {
            return new Decoded.IpPacket(link.link(), ip.version(), ip.src(), ip.dst(), ip.protocol(), ip.ttl(),
                    ip.totalLength(), 0, 0, null, null);
        }
        return switch (ip.protocol()) {
            case FlowKey.TCP -> TransportDecoder.tcp(link.link(), ip, data, length);
            case FlowKey.UDP -> TransportDecoder.udp(link.link(), ip, data, length);
            case FlowKey.ICMP -> IcmpDecoder.icmp(link.link(), ip, data, length, false);
            case FlowKey.ICMPV6 -> NeighborDiscoveryDecoder.isNeighborDiscovery(ip, data, length)
                    ? NeighborDiscoveryDecoder.decode(link.link(), ip, data, length)
                    : IcmpDecoder.icmp(link.link(), ip, data, length, true);
            case FlowKey.VRRP -> VrrpDecoder.decode(link.link(), ip, data, length);
            default -> new Decoded.IpPacket(link.link(), ip.version(), ip.src(), ip.dst(), ip.protocol(), ip.ttl(),
                    ip.totalLength(), 0, 0, null, null);
        };
    }

    public long decoded() {
        return decoded;
    }

    public long ignored() {
        return ignored;
    }

    public long malformed() {
        return malformed;
    }
}
