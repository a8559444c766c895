package dev.wirewatch.processor.detect;

import java.util.Map;

/** What the kernel's drop reasons (enum skb_drop_reason) mean for a dropped SYN, and where to look. */
final class KernelDropReasons {
    /** The reason a kernel gives for a SYN it dropped by PAWS. */
    static final String PAWS = "TCP_RFC7323_PAWS";

    private record Reading(String meaning, String advice) {}

    private static final Map<String, Reading> READINGS = Map.of(
            "NETFILTER_DROP", new Reading("a netfilter rule dropped it",
                    "List the rules that match: `iptables -S INPUT -v` / `nft list ruleset` (the counters of the DROP rule "
                            + "grow with each SYN)."),
            "TCP_LISTEN_OVERFLOW", new Reading("the listener's accept queue was full",
                    "The application does not accept connections fast enough: `ss -ltn` (Recv-Q at Send-Q), raise its "
                            + "listen backlog and `net.core.somaxconn`, or find what blocks its accept loop."),
            PAWS, new Reading("its TCP timestamp was older than one seen before (PAWS)",
                    "Clients behind one NAT with different timestamp clocks: turn off `net.ipv4.tcp_tw_recycle` where "
                            + "it exists, or let the NAT rewrite timestamps; see PAWS_SYN_DROP."),
            "NO_SOCKET", new Reading("no socket listens on that port",
                    "Nothing listens there and the RST was suppressed: check the service's port and any rule that drops "
                            + "outgoing RSTs."),
            "OTHERHOST", new Reading("it was addressed to another host's MAC",
                    "The packet reached the wrong host: check ARP (`ip neigh`) on the sender's side and the switch."),
            "IP_RPFILTER", new Reading("reverse-path filtering rejected its source",
                    "The reply would leave by another interface: fix the routes or relax `net.ipv4.conf.*.rp_filter` "
                            + "(2 = loose)."),
            "SOCKET_FILTER", new Reading("a socket filter (BPF) rejected it",
                    "A BPF program on the listening socket dropped it: check what attaches filters to the service."),
            "XFRM_POLICY", new Reading("an IPsec policy rejected it",
                    "Check `ip xfrm policy` for a policy that blocks this traffic."));

    private KernelDropReasons() {}

    static String meaning(String reason) {
        Reading reading = READINGS.get(reason);
        return reading == null ? "see enum skb_drop_reason in include/net/dropreason-core.h" : reading.meaning();
    }

    /** Advice for the reason, or empty when there is none beyond the general hint. */
    static String advice(String reason) {
        Reading reading = READINGS.get(reason);
        return reading == null ? "" : reading.advice() + " ";
    }
}
