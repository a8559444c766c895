package dev.wirewatch.app.export;

import dev.wirewatch.record.ArpEvent;
import dev.wirewatch.record.IcmpHeader;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.QuotedHeader;
import dev.wirewatch.record.TcpHeader;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.FlowKey;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Rebuilds the headers of a packet from what its sensor shipped. Sensors send decoded header fields, not bytes, so
 * a frame is the Ethernet (or none), IP and transport headers those fields imply, and nothing after them: the
 * capture is "snaplen-limited", with the original length the IP total length implies. What the events do not
 * carry is written as zero: the IP id and flags, TOS, checksums other than the IPv4 header's, ICMP sequence
 * numbers, SACK blocks and unknown TCP options, IPv6 extension headers.
 */
public final class HeaderFrames {
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ETHERTYPE_ARP = 0x0806;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final byte[] ZERO_MAC = new byte[6];
    private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};

    private HeaderFrames() {}

    /** One rebuilt frame: the captured bytes and the length the frame had on the wire. */
    public record Frame(byte[] bytes, int originalLength) {}

    /** @param ethernet with an Ethernet header (zero MACs where the event has none), else a bare IP packet */
    public static Frame of(PacketEvent packet, boolean ethernet) {
        byte[] transport = transport(packet);
        byte[] ip = packet.getIpVersion() == 6 ? ipv6(packet, transport) : ipv4(packet, transport);
        if (!ethernet) {
            return new Frame(ip, Math.max(packet.getIpLength(), ip.length));
        }
        byte[] link = ethernet(mac(packet.getDstMac(), ZERO_MAC), mac(packet.getSrcMac(), ZERO_MAC), packet.getVlan(),
                packet.getIpVersion() == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
        return new Frame(concat(link, ip), link.length + Math.max(packet.getIpLength(), ip.length));
    }

    /** ARP is shipped whole, so its frame is complete. Link addresses fall back to the ARP payload's own. */
    public static Frame of(ArpEvent arp) {
        if (arp.getNdFlags() != null) {
            return neighborDiscovery(arp);
        }
        byte[] senderMac = Addresses.bytes(arp.getSenderMac());
        byte[] dst = mac(arp.getDstMac(), arp.getOperation() == 1 ? BROADCAST : Addresses.bytes(arp.getTargetMac()));
        byte[] link = ethernet(dst, mac(arp.getSrcMac(), senderMac), arp.getVlan(), ETHERTYPE_ARP);
        ByteBuffer body = ByteBuffer.allocate(28);
        body.putShort((short) 1).putShort((short) ETHERTYPE_IPV4).put((byte) 6).put((byte) 4)
                .putShort((short) arp.getOperation()).put(senderMac).put(Addresses.bytes(arp.getSenderIp()))
                .put(Addresses.bytes(arp.getTargetMac())).put(Addresses.bytes(arp.getTargetIp()));
        byte[] frame = concat(link, body.array());
        return new Frame(frame, frame.length);
    }

    /**
     * A Neighbor Solicitation or Advertisement, from the binding the sensor shipped: what the event does not carry is
     * filled as a kernel usually sends it (an NS to its target's solicited-node group, an NA from its target).
     */
    private static Frame neighborDiscovery(ArpEvent arp) {
        boolean solicitation = arp.getOperation() == FlowKey.NEIGHBOR_SOLICITATION;
        byte[] senderIp = Addresses.bytes(arp.getSenderIp());
        byte[] target = Addresses.bytes(solicitation ? arp.getTargetIp() : arp.getSenderIp());
        boolean probe = solicitation && Arrays.equals(senderIp, new byte[16]);
        ByteBuffer message = ByteBuffer.allocate(probe ? 24 : 32);
        message.put((byte) arp.getOperation()).put((byte) 0).putShort((short) 0).put((byte) (int) arp.getNdFlags())
                .put(new byte[3]).put(target);
        if (!probe) { // source (NS) or target (NA) link-layer address option
            message.put((byte) (solicitation ? 1 : 2)).put((byte) 1).put(Addresses.bytes(arp.getSenderMac()));
        }
        byte[] solicitedNode = Addresses.parse("ff02::1:ff00:0");
        System.arraycopy(target, 13, solicitedNode, 13, 3);
        byte[] ip = solicitation ? ipv6Header(message.capacity(), 255, FlowKey.ICMPV6, senderIp, solicitedNode,
                message.array())
                : ipv6Header(message.capacity(), 255, FlowKey.ICMPV6, target, Addresses.bytes(arp.getTargetIp()),
                message.array());
        byte[] dstMac = {0x33, 0x33, ip[36], ip[37], ip[38], ip[39]};
        byte[] link = ethernet(mac(arp.getDstMac(), dstMac), mac(arp.getSrcMac(), Addresses.bytes(arp.getSenderMac())),
                arp.getVlan(), ETHERTYPE_IPV6);
        byte[] frame = concat(link, ip);
        return new Frame(frame, frame.length);
    }

    /** Whether the packet's vantage reported link-layer addresses (else the interface is written as raw IP). */
    public static boolean hasMacs(PacketEvent packet) {
        return packet.getSrcMac() != null || packet.getDstMac() != null;
    }

    private static byte[] ethernet(byte[] dst, byte[] src, Integer vlan, int etherType) {
        ByteBuffer header = ByteBuffer.allocate(vlan == null ? 14 : 18).put(dst).put(src);
        if (vlan != null) {
            header.putShort((short) ETHERTYPE_VLAN).putShort((short) (vlan & 0x0fff));
        }
        return header.putShort((short) etherType).array();
    }

    private static byte[] ipv4(PacketEvent packet, byte[] transport) {
        return ipv4Header(packet.getIpLength(), packet.getTtl(), packet.getProtocol(), Addresses.bytes(packet.getSrc()),
                Addresses.bytes(packet.getDst()), transport);
    }

    private static byte[] ipv4Header(int totalLength, int ttl, int protocol, byte[] src, byte[] dst, byte[] transport) {
        ByteBuffer header = ByteBuffer.allocate(20 + transport.length);
        header.put((byte) 0x45).put((byte) 0).putShort((short) Math.max(totalLength, 20 + transport.length))
                .putShort((short) 0).putShort((short) 0).put((byte) ttl).put((byte) protocol).putShort((short) 0)
                .put(src).put(dst);
        header.putShort(10, checksum(header.array(), 20));
        return header.put(transport).array();
    }

    private static byte[] ipv6(PacketEvent packet, byte[] transport) {
        return ipv6Header(packet.getIpLength() - 40, packet.getTtl(), packet.getProtocol(),
                Addresses.bytes(packet.getSrc()), Addresses.bytes(packet.getDst()), transport);
    }

    private static byte[] ipv6Header(int payloadLength, int hopLimit, int next, byte[] src, byte[] dst, byte[] transport) {
        ByteBuffer header = ByteBuffer.allocate(40 + transport.length);
        header.putInt(0x60000000).putShort((short) Math.max(payloadLength, transport.length)).put((byte) next)
                .put((byte) hopLimit).put(src).put(dst);
        return header.put(transport).array();
    }

    private static byte[] transport(PacketEvent packet) {
        int headerLength = packet.getIpVersion() == 6 ? 40 : 20;
        if (packet.getTcp() != null) {
            return tcp(packet, packet.getTcp());
        }
        if (packet.getIcmp() != null) {
            return icmp(packet.getProtocol(), packet.getIcmp());
        }
        if (packet.getProtocol() == FlowKey.UDP) {
            return ByteBuffer.allocate(8).putShort((short) packet.getSrcPort()).putShort((short) packet.getDstPort())
                    .putShort((short) Math.max(8, packet.getIpLength() - headerLength)).putShort((short) 0).array();
        }
        return new byte[0];
    }

    private static byte[] tcp(PacketEvent packet, TcpHeader tcp) {
        byte[] options = tcpOptions(tcp);
        int flags = tcp.getFlags();
        ByteBuffer header = ByteBuffer.allocate(20 + options.length);
        header.putShort((short) packet.getSrcPort()).putShort((short) packet.getDstPort()).putInt((int) tcp.getSeq())
                .putInt((int) tcp.getAck())
                .putShort((short) (((20 + options.length) / 4) << 12 | flags & 0x1ff))
                .putShort((short) tcp.getWindow()).putShort((short) 0).putShort((short) 0).put(options);
        return header.array();
    }

    /** Laid out as Linux writes them (tcp_options_write), so a Linux capture's option bytes come back the same. */
    private static byte[] tcpOptions(TcpHeader tcp) {
        ByteBuffer options = ByteBuffer.allocate(40);
        if (tcp.getMss() != null) {
            options.put((byte) 2).put((byte) 4).putShort(tcp.getMss().shortValue());
        }
        if (tcp.getTsVal() != null) {
            if (tcp.getSackPermitted()) {
                options.put((byte) 4).put((byte) 2);
            } else {
                options.put((byte) 1).put((byte) 1);
            }
            long echo = tcp.getTsEcr() == null ? 0 : tcp.getTsEcr();
            options.put((byte) 8).put((byte) 10).putInt(tcp.getTsVal().intValue()).putInt((int) echo);
        } else if (tcp.getSackPermitted()) {
            options.put((byte) 1).put((byte) 1).put((byte) 4).put((byte) 2);
        }
        if (tcp.getWindowScale() != null) {
            options.put((byte) 1).put((byte) 3).put((byte) 3).put(tcp.getWindowScale().byteValue());
        }
        while (options.position() % 4 != 0) {
            options.put((byte) 1);
        }
        byte[] bytes = new byte[options.position()];
        options.flip().get(bytes);
        return bytes;
    }

    /** ICMP and ICMPv6: type, code, the 4-byte field the event knows, then the quoted header an error carries. */
    private static byte[] icmp(int protocol, IcmpHeader icmp) {
        byte[] quoted = icmp.getQuoted() == null ? new byte[0] : quoted(icmp.getQuoted());
        byte[] target = new byte[0];
        ByteBuffer rest = ByteBuffer.allocate(4);
        if (icmp.getIdentifier() != null) {
            rest.putShort(icmp.getIdentifier().shortValue());
        } else if (icmp.getGateway() != null && protocol == FlowKey.ICMP) {
            rest.put(Addresses.bytes(icmp.getGateway()));
        } else if (icmp.getGateway() != null) {
            // ICMPv6 redirect: target and destination follow the reserved field; the quoted packet is an option
            byte[] destination = icmp.getRedirectDestination() == null ? new byte[16]
                    : Addresses.bytes(icmp.getRedirectDestination());
            target = concat(Addresses.bytes(icmp.getGateway()), destination);
            quoted = redirectedHeaderOption(quoted);
        }
        ByteBuffer message = ByteBuffer.allocate(8 + target.length + quoted.length);
        message.put((byte) (int) icmp.getType()).put((byte) (int) icmp.getCode()).putShort((short) 0)
                .put(rest.array()).put(target).put(quoted);
        return message.array();
    }

    /** RFC 4861 4.6.3: type 4, length in units of 8 bytes, 6 reserved bytes, the packet padded to 8 bytes. */
    private static byte[] redirectedHeaderOption(byte[] packet) {
        if (packet.length == 0) {
            return packet;
        }
        int length = 8 + (packet.length + 7) / 8 * 8;
        return ByteBuffer.allocate(length).put((byte) 4).put((byte) (length / 8)).put(new byte[6]).put(packet).array();
    }

    /**
     * The quoted IP header and the first 8 bytes of its transport header: ports, and the TCP sequence number; for a
     * quoted ICMP packet the echo request whose identifier the event keeps as its ports.
     */
    private static byte[] quoted(QuotedHeader quoted) {
        ByteBuffer transport = ByteBuffer.allocate(8);
        if (quoted.getProtocol() == FlowKey.ICMP || quoted.getProtocol() == FlowKey.ICMPV6) {
            transport.put((byte) (quoted.getProtocol() == FlowKey.ICMP ? 8 : 128)).put((byte) 0).putShort((short) 0)
                    .putShort((short) quoted.getSrcPort());
        } else {
            transport.putShort((short) quoted.getSrcPort()).putShort((short) quoted.getDstPort());
        }
        if (quoted.getSeq() != null) {
            transport.putInt(quoted.getSeq().intValue());
        } else if (quoted.getProtocol() == FlowKey.UDP) {
            transport.putShort((short) 8);
        }
        byte[] src = Addresses.bytes(quoted.getSrc());
        byte[] dst = Addresses.bytes(quoted.getDst());
        return src.length == 16 ? ipv6Header(8, 64, quoted.getProtocol(), src, dst, transport.array())
                : ipv4Header(28, 64, quoted.getProtocol(), src, dst, transport.array());
    }

    private static byte[] mac(ByteBuffer mac, byte[] fallback) {
        return mac == null || mac.remaining() != 6 ? fallback : Addresses.bytes(mac);
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] joined = new byte[first.length + second.length];
        System.arraycopy(first, 0, joined, 0, first.length);
        System.arraycopy(second, 0, joined, first.length, second.length);
        return joined;
    }

    /** The Internet checksum (RFC 1071) of the first {@code length} bytes. */
    static short checksum(byte[] data, int length) {
        long sum = 0;
        for (int i = 0; i + 1 < length; i += 2) {
            sum += ((data[i] & 0xff) << 8) | (data[i + 1] & 0xff);
        }
        if (length % 2 == 1) {
            sum += (data[length - 1] & 0xff) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (short) ~sum;
    }
}
