package dev.wirewatch.schemas;

import dev.wirewatch.record.FlowActivity;
import dev.wirewatch.record.IcmpHeader;
import dev.wirewatch.record.KernelDrop;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.QuotedHeader;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Canonical flow key: protocol and the two endpoints, lower (address, port) first, so both directions and
 * every vantage's view of one flow map to one key and one partition. An ICMP error is keyed by the flow of
 * the header it quotes, so an unreachable or redirect joins the flow it is about.
 */
public record FlowKey(int protocol, byte[] lowAddress, int lowPort, byte[] highAddress, int highPort) {
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int ICMP = 1;
    public static final int ICMPV6 = 58;
    /** VRRP advertisements (RFC 3768, RFC 5798): an IP protocol of their own. */
    public static final int VRRP = 112;
    /** The ICMPv6 neighbour discovery types (RFC 4861) that ww.l2's ArpEvent carries as its operation. */
    public static final int NEIGHBOR_SOLICITATION = 135;
    public static final int NEIGHBOR_ADVERTISEMENT = 136;

    public static FlowKey of(int protocol, byte[] a, int aPort, byte[] b, int bPort) {
        int order = compareEndpoints(a, aPort, b, bPort);
        return order <= 0 ? new FlowKey(protocol, a, aPort, b, bPort) : new FlowKey(protocol, b, bPort, a, aPort);
    }

    public static FlowKey of(PacketEvent packet) {
        IcmpHeader icmp = packet.getIcmp();
        if (icmp != null && icmp.getQuoted() != null) {
            QuotedHeader quoted = icmp.getQuoted();
            return of(quoted.getProtocol(), Addresses.bytes(quoted.getSrc()), quoted.getSrcPort(),
                    Addresses.bytes(quoted.getDst()), quoted.getDstPort());
        }
        int srcPort = packet.getSrcPort();
        int dstPort = packet.getDstPort();
        if (icmp != null) {
            // Echo request and reply share the identifier; other informational messages share one key per pair.
            int identifier = icmp.getIdentifier() == null ? 0 : icmp.getIdentifier();
            srcPort = identifier;
            dstPort = identifier;
        }
        return of(packet.getProtocol(), Addresses.bytes(packet.getSrc()), srcPort, Addresses.bytes(packet.getDst()), dstPort);
    }

    public static FlowKey of(FlowActivity activity) {
        return of(activity.getProtocol(), Addresses.bytes(activity.getSrc()), activity.getSrcPort(),
                Addresses.bytes(activity.getDst()), activity.getDstPort());
    }

    /** The key of the TCP flow whose SYN the kernel dropped. */
    public static FlowKey of(KernelDrop drop) {
        return of(6, Addresses.bytes(drop.getSrc()), drop.getSrcPort(), Addresses.bytes(drop.getDst()), drop.getDstPort());
    }

    /** True when (address, port) is this key's lower endpoint. */
    public boolean isLow(byte[] address, int port) {
        return port == lowPort && Arrays.equals(address, lowAddress);
    }

    public byte[] toBytes() {
        ByteBuffer buffer = ByteBuffer.allocate(2 + lowAddress.length + 2 + highAddress.length + 2);
        buffer.put((byte) protocol).put((byte) lowAddress.length).put(lowAddress).putShort((short) lowPort)
                .put(highAddress).putShort((short) highPort);
        return buffer.array();
    }

    public static FlowKey fromBytes(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        int protocol = buffer.get() & 0xff;
        int length = buffer.get() & 0xff;
        if (length != 4 && length != 16 || bytes.length != 2 + 2 * (length + 2)) {
            throw new IllegalArgumentException("not a flow key: " + bytes.length + " bytes");
        }
        byte[] low = new byte[length];
        buffer.get(low);
        int lowPort = buffer.getShort() & 0xffff;
        byte[] high = new byte[length];
        buffer.get(high);
        int highPort = buffer.getShort() & 0xffff;
        return new FlowKey(protocol, low, lowPort, high, highPort);
    }

    private static int compareEndpoints(byte[] a, int aPort, byte[] b, int bPort) {
        int byAddress = Arrays.compareUnsigned(a, b);
        return byAddress != 0 ? byAddress : Integer.compare(aPort, bPort);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FlowKey key && protocol == key.protocol && lowPort == key.lowPort
                && highPort == key.highPort && Arrays.equals(lowAddress, key.lowAddress)
                && Arrays.equals(highAddress, key.highAddress);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(toBytes());
    }

    @Override
    public String toString() {
        return protocolName(protocol) + " " + Addresses.endpoint(lowAddress, lowPort) + " <-> "
                + Addresses.endpoint(highAddress, highPort);
    }

    public static String protocolName(int protocol) {
        return switch (protocol) {
            case TCP -> "tcp";
            case UDP -> "udp";
            case ICMP -> "icmp";
            case ICMPV6 -> "icmp6";
            default -> "ip-proto-" + protocol;
        };
    }
}
