package dev.wirewatch.sensor.decode;

import java.util.List;

/**
 * What the decoder made of one frame. Addresses are 4 or 16 bytes, MACs 6 bytes (null where the link layer
 * carries none). Nothing here is ever partially filled: a frame is decoded, ignored, or malformed.
 */
public sealed interface Decoded {

    /** Link-layer facts: MACs and the 802.1Q VLAN id of the outermost tag. */
    record Link(byte[] srcMac, byte[] dstMac, Integer vlan) {
        public static final Link NONE = new Link(null, null, null);
    }

    /** An IP packet with its transport header (ports 0 for protocols without ports). */
    record IpPacket(Link link, int ipVersion, byte[] src, byte[] dst, int protocol, int ttl, int ipLength,
                    int srcPort, int dstPort, Tcp tcp, Icmp icmp) implements Decoded {}

    record Tcp(int flags, long seq, long ack, int window, int payloadLength, Integer mss, Integer windowScale,
               boolean sackPermitted, Long tsVal, Long tsEcr) {}

    /**
     * ICMP or ICMPv6; {@code quoted} is the header an error message or redirect quotes; {@code targetMac} an ICMPv6
     * redirect's target link-layer address option.
     */
    record Icmp(int type, int code, Integer identifier, byte[] gateway, byte[] redirectDestination, byte[] targetMac,
                Quoted quoted) {}

    record Quoted(byte[] src, byte[] dst, int protocol, int srcPort, int dstPort, Long seq) {}

    /** An Ethernet/IPv4 ARP packet. */
    record ArpPacket(Link link, int operation, byte[] senderMac, byte[] senderIp, byte[] targetMac, byte[] targetIp)
            implements Decoded {}

    /**
     * An IPv6 Neighbor Solicitation (type 135) or Advertisement (136). {@code flags}: the advertisement's R (0x80),
     * S (0x40) and O (0x20) bits, 0 for a solicitation; {@code linkLayerAddress}: the source (NS) or target (NA)
     * link-layer address option, null when absent.
     */
    record NeighborPacket(Link link, byte[] src, byte[] dst, int type, int flags, byte[] target, byte[] linkLayerAddress)
            implements Decoded {}

    /**
     * A VRRP advertisement: shipped as such (not as a PacketEvent: a multicast to 224.0.0.18 or ff02::12 is no flow).
     */
    record VrrpPacket(Link link, int ipVersion, byte[] src, byte[] dst, int ttl, Vrrp vrrp) implements Decoded {}

    /** VRRP's fields; {@code intervalCentis} is v2's seconds times 100; {@code authType} v2 only. */
    record Vrrp(int version, int type, int vrid, int priority, int intervalCentis, Integer authType, int addressCount,
                List<byte[]> addresses) {}

    /** A well-formed frame of a kind the monitor does not look at (EAPOL, LLDP, ...). */
    record Ignored(String reason) implements Decoded {}

    /** A truncated or inconsistent frame; the reason names the layer. */
    record Malformed(String reason) implements Decoded {}
}
