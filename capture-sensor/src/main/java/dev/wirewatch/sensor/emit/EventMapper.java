package dev.wirewatch.sensor.emit;

import dev.wirewatch.record.ArpEvent;
import dev.wirewatch.record.IcmpHeader;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.QuotedHeader;
import dev.wirewatch.record.TcpHeader;
import dev.wirewatch.record.VrrpAdvertisement;
import dev.wirewatch.schemas.FlowKey;
import dev.wirewatch.sensor.capture.CapturedFrame;
import dev.wirewatch.sensor.decode.Decoded;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * Turns a decoded frame into the record a sensor ships: PacketEvent for IP, ArpEvent for ARP and for IPv6 neighbour
 * discovery (the binding it carries, see ArpEvent.avsc), VrrpAdvertisement for VRRP, nothing else.
 */
public final class EventMapper {
    private EventMapper() {}

    public static Optional<SpecificRecord> toRecord(String host, CapturedFrame frame, Decoded decoded) {
        if (decoded instanceof Decoded.IpPacket ip) {
            return Optional.of(packet(host, frame, ip));
        }
        if (decoded instanceof Decoded.ArpPacket arp) {
            return Optional.of(arp(host, frame, arp));
        }
        if (decoded instanceof Decoded.NeighborPacket nd && knowsMac(nd)) {
            return Optional.of(neighborDiscovery(host, frame, nd));
        }
        if (decoded instanceof Decoded.VrrpPacket vrrp) {
            return Optional.of(vrrp(host, frame, vrrp));
        }
        return Optional.empty();
    }

    // Avro's all-arguments constructors, not its builders: a builder validates and deep-copies every field, which
    // cost more than decoding the frame (BENCHMARKS.md). Arguments follow the schema's field order.

    private static PacketEvent packet(String host, CapturedFrame frame, Decoded.IpPacket ip) {
        return new PacketEvent(host, frame.iface(), frame.tsMicros(), wrap(ip.link().srcMac()),
                wrap(ip.link().dstMac()), ip.link().vlan(), ip.ipVersion(), ByteBuffer.wrap(ip.src()),
                ByteBuffer.wrap(ip.dst()), ip.protocol(), ip.srcPort(), ip.dstPort(), ip.ttl(), ip.ipLength(),
                ip.tcp() == null ? null : tcp(ip.tcp()), ip.icmp() == null ? null : icmp(ip.icmp()));
    }

    private static TcpHeader tcp(Decoded.Tcp tcp) {
        return new TcpHeader(tcp.flags(), tcp.seq(), tcp.ack(), tcp.window(), tcp.payloadLength(), tcp.mss(),
                tcp.windowScale(), tcp.sackPermitted(), tcp.tsVal(), tcp.tsEcr());
    }

    private static IcmpHeader icmp(Decoded.Icmp icmp) {
        Decoded.Quoted quoted = icmp.quoted();
        return new IcmpHeader(icmp.type(), icmp.code(), icmp.identifier(), wrap(icmp.gateway()),
                wrap(icmp.redirectDestination()), quoted == null ? null : new QuotedHeader(ByteBuffer.wrap(quoted.src()),
                        ByteBuffer.wrap(quoted.dst()), quoted.protocol(), quoted.srcPort(), quoted.dstPort(), quoted.seq()));
    }

    private static ArpEvent arp(String host, CapturedFrame frame, Decoded.ArpPacket arp) {
        return new ArpEvent(host, frame.iface(), frame.tsMicros(), wrap(arp.link().srcMac()), wrap(arp.link().dstMac()),
                arp.link().vlan(), arp.operation(), ByteBuffer.wrap(arp.senderMac()), ByteBuffer.wrap(arp.senderIp()),
                ByteBuffer.wrap(arp.targetMac()), ByteBuffer.wrap(arp.targetIp()), null);
    }

    /** Without an option or a link-layer source (a raw IP link) the message binds the address to nothing. */
    private static boolean knowsMac(Decoded.NeighborPacket nd) {
        return nd.linkLayerAddress() != null || nd.link().srcMac() != null;
    }

    /** NS: the solicitor's address is at its source link-layer address; NA: the target is at its target one. */
    private static ArpEvent neighborDiscovery(String host, CapturedFrame frame, Decoded.NeighborPacket nd) {
        Decoded.Link link = nd.link();
        byte[] mac = nd.linkLayerAddress() != null ? nd.linkLayerAddress() : link.srcMac();
        boolean solicitation = nd.type() == FlowKey.NEIGHBOR_SOLICITATION;
        byte[] targetMac = solicitation || link.dstMac() == null ? new byte[6] : link.dstMac();
        return new ArpEvent(host, frame.iface(), frame.tsMicros(), wrap(link.srcMac()), wrap(link.dstMac()),
                link.vlan(), nd.type(), ByteBuffer.wrap(mac), ByteBuffer.wrap(solicitation ? nd.src() : nd.target()),
                ByteBuffer.wrap(targetMac), ByteBuffer.wrap(solicitation ? nd.target() : nd.dst()), nd.flags());
    }

    private static VrrpAdvertisement vrrp(String host, CapturedFrame frame, Decoded.VrrpPacket packet) {
        Decoded.Vrrp vrrp = packet.vrrp();
        return new VrrpAdvertisement(host, frame.iface(), frame.tsMicros(), wrap(packet.link().srcMac()),
                packet.link().vlan(), ByteBuffer.wrap(packet.src()), packet.ttl(), vrrp.version(), vrrp.type(),
                vrrp.vrid(), vrrp.priority(), vrrp.intervalCentis(), vrrp.authType(), vrrp.addressCount(),
                vrrp.addresses().stream().map(ByteBuffer::wrap).toList());
    }

    private static ByteBuffer wrap(byte[] bytes) {
        return bytes == null ? null : ByteBuffer.wrap(bytes);
    }
}
