package dev.wirewatch.processor.l2;

import dev.wirewatch.record.ArpEvent;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.FlowKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * IPv6 neighbour discovery (RFC 4861) as the ARP stage reads it: which ArpEvents are Neighbor Solicitations (135) or
 * Advertisements (136), which of them is a duplicate address detection probe or an announcement, and their evidence
 * line as tshark's Info column writes it.
 */
final class NeighborDiscovery {
    static final int SOLICITATION = FlowKey.NEIGHBOR_SOLICITATION;
    static final int ADVERTISEMENT = FlowKey.NEIGHBOR_ADVERTISEMENT;
    private static final int ROUTER = 0x80;
    private static final int SOLICITED = 0x40;
    private static final int OVERRIDE = 0x20;
    private static final byte[] UNSPECIFIED = new byte[16];
    private static final byte[] ALL_NODES = Addresses.parse("ff02::1");

    private NeighborDiscovery() {}

    static boolean is(ArpEvent arp) {
        return arp.getOperation() == SOLICITATION || arp.getOperation() == ADVERTISEMENT;
    }

    /** A Neighbor Solicitation from :: (RFC 4862 duplicate address detection): the prober asks for its target. */
    static boolean isProbe(ArpEvent arp) {
        return arp.getOperation() == SOLICITATION && Arrays.equals(Addresses.bytes(arp.getSenderIp()), UNSPECIFIED);
    }

    /**
     * An unsolicited advertisement with the override flag to all nodes: IPv6's gratuitous ARP (RFC 4861 7.2.6), sent
     * when an address is taken over (Linux's ndisc_notify, HA software) and to defend an address against a probe.
     */
    static boolean isAnnouncement(ArpEvent arp) {
        int flags = flags(arp);
        return arp.getOperation() == ADVERTISEMENT && (flags & OVERRIDE) != 0 && (flags & SOLICITED) == 0
                && Arrays.equals(Addresses.bytes(arp.getTargetIp()), ALL_NODES);
    }

    /** A Neighbor Advertisement without the override flag (proxy ND, anycast): it may not replace another binding. */
    static boolean isWithoutOverride(ArpEvent arp) {
        return arp.getOperation() == ADVERTISEMENT && (flags(arp) & OVERRIDE) == 0;
    }

    /** The link-layer destination is an IPv6 multicast MAC (33:33:..): every host of the segment may hear it. */
    static boolean isMulticastMac(byte[] mac) {
        return mac.length == 6 && mac[0] == 0x33 && mac[1] == 0x33;
    }

    /** The address the message binds or, for a probe, asks about. */
    static String address(ArpEvent arp) {
        return Addresses.ip(isProbe(arp) ? arp.getTargetIp() : arp.getSenderIp());
    }

    /** As tshark's Info column: "Neighbor Advertisement 2001:db8::100 (ovr) is at 02:..". */
    static String describe(ArpEvent arp) {
        String mac = Addresses.mac(arp.getSenderMac());
        if (arp.getOperation() == ADVERTISEMENT) {
            List<String> set = new ArrayList<>();
            int flags = flags(arp);
            if ((flags & ROUTER) != 0) {
                set.add("rtr");
            }
            if ((flags & SOLICITED) != 0) {
                set.add("sol");
            }
            if ((flags & OVERRIDE) != 0) {
                set.add("ovr");
            }
            return "Neighbor Advertisement " + Addresses.ip(arp.getSenderIp())
                    + (set.isEmpty() ? "" : " (" + String.join(", ", set) + ")") + " is at " + mac + " to "
                    + Addresses.ip(arp.getTargetIp());
        }
        String target = Addresses.ip(arp.getTargetIp());
        if (isProbe(arp)) {
            return "Neighbor Solicitation for " + target + " from :: (" + mac + ", duplicate address detection)";
        }
        return "Neighbor Solicitation for " + target + " from " + mac + " (" + Addresses.ip(arp.getSenderIp()) + ")";
    }

    private static int flags(ArpEvent arp) {
        return arp.getNdFlags() == null ? 0 : arp.getNdFlags();
    }
}
