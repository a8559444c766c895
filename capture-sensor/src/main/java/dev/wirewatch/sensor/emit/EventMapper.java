package dev.wirewatch.sensor.emit;

import dev.wirewatch.record.ArpEvent;
import dev.wirewatch.record.IcmpHeader;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.QuotedHeader;
import dev.wirewatch.record.TcpHeader;
import dev.wirewatch.sensor.capture.CapturedFrame;
import dev.wirewatch.sensor.decode.Decoded;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/** Turns a decoded frame into the record a sensor ships: PacketEvent for IP, ArpEvent for ARP, nothing else. */
public final class EventMapper {
    private EventMapper() {}

    public static Optional<SpecificRecord> toRecord(String host, CapturedFrame frame, Decoded decoded) {
        if (decoded instanceof Decoded.IpPacket ip) {
            return Optional.of(packet(host, frame, ip));
        }
        if (decoded instanceof Decoded.ArpPacket arp) {
            return Optional.of(arp(host, frame, arp));
        }
        return Optional.empty();
    }

    private static PacketEvent packet(String host, CapturedFrame frame, Decoded.IpPacket ip) {
        return PacketEvent.newBuilder()
                .setHost(host)
                .setIface(frame.iface())
                .setTsMicros(frame.tsMicros())
                .setSrcMac(wrap(ip.link().srcMac()))
                .setDstMac(wrap(ip.link().dstMac()))
                .setVlan(ip.link().vlan())
                .setIpVersion(ip.ipVersion())
                .setSrc(ByteBuffer.wrap(ip.src()))
                .setDst(ByteBuffer.wrap(ip.dst()))
                .setProtocol(ip.protocol())
                .setSrcPort(ip.srcPort())
                .setDstPort(ip.dstPort())
                .setTtl(ip.ttl())
                .setIpLength(ip.ipLength())
                .setTcp(ip.tcp() == null ? null : tcp(ip.tcp()))
                .setIcmp(ip.icmp() == null ? null : icmp(ip.icmp()))
                .build();
    }

    private static TcpHeader tcp(Decoded.Tcp tcp) {
        return TcpHeader.newBuilder().setFlags(tcp.flags()).setSeq(tcp.seq()).setAck(tcp.ack()).setWindow(tcp.window())
                .setPayloadLength(tcp.payloadLength()).setMss(tcp.mss()).setWindowScale(tcp.windowScale())
                .setSackPermitted(tcp.sackPermitted()).setTsVal(tcp.tsVal()).setTsEcr(tcp.tsEcr()).build();
    }

    private static IcmpHeader icmp(Decoded.Icmp icmp) {
        Decoded.Quoted quoted = icmp.quoted();
        return IcmpHeader.newBuilder().setType(icmp.type()).setCode(icmp.code()).setIdentifier(icmp.identifier())
                .setGateway(wrap(icmp.gateway())).setRedirectDestination(wrap(icmp.redirectDestination()))
                .setQuoted(quoted == null ? null : QuotedHeader.newBuilder().setSrc(ByteBuffer.wrap(quoted.src()))
                        .setDst(ByteBuffer.wrap(quoted.dst())).setProtocol(quoted.protocol())
                        .setSrcPort(quoted.srcPort()).setDstPort(quoted.dstPort()).setSeq(quoted.seq()).build())
                .build();
    }

    private static ArpEvent arp(String host, CapturedFrame frame, Decoded.ArpPacket arp) {
        return ArpEvent.newBuilder()
                .setHost(host)
                .setIface(frame.iface())
                .setTsMicros(frame.tsMicros())
                .setSrcMac(wrap(arp.link().srcMac()))
                .setDstMac(wrap(arp.link().dstMac()))
                .setVlan(arp.link().vlan())
                .setOperation(arp.operation())
                .setSenderMac(ByteBuffer.wrap(arp.senderMac()))
                .setSenderIp(ByteBuffer.wrap(arp.senderIp()))
                .setTargetMac(ByteBuffer.wrap(arp.targetMac()))
                .setTargetIp(ByteBuffer.wrap(arp.targetIp()))
                .build();
    }

    private static ByteBuffer wrap(byte[] bytes) {
        return bytes == null ? null : ByteBuffer.wrap(bytes);
    }
}
