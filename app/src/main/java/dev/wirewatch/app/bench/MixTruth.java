package dev.wirewatch.app.bench;

import java.util.Locale;

/**
 * What a generated mix holds, counted as it was made: packets per capture (the server's 0 when one-sided), TCP
 * connections (conversations) by kind, and the other exchanges; a refused client's retry is a connect of its own. Unanswered SYN flows split by where the SYNs died: dropped at the
 * server host (its capture sees them) or lost before it (its capture does not).
 */
public record MixTruth(long clientPackets, long serverPackets, long shortFin, long shortRst, long bulk,
                       long keepAliveSessions, long unansweredDroppedAtServer, long unansweredLostBeforeServer,
                       long refused, long midStreamReset, long dnsExchanges, long icmpEchoes, long icmpUnreachable,
                       long keepAliveProbes, long ipv6Flows, long flows) {

    /** Every TCP connection (4-tuple) in the client's capture. */
    public long tcpFlows() {
        return shortFin + shortRst + bulk + keepAliveSessions + unanswered() + refused + midStreamReset;
    }

    public long unanswered() {
        return unansweredDroppedAtServer + unansweredLostBeforeServer;
    }

    public long shortFlows() {
        return shortFin + shortRst;
    }

    /** One short table, a count per line. */
    public String table() {
        StringBuilder text = new StringBuilder();
        row(text, "packets, client (or only) capture", clientPackets);
        if (serverPackets > 0) {
            row(text, "packets, server capture", serverPackets);
        }
        row(text, "flows (TCP, DNS, ICMP)", flows);
        row(text, "  over IPv6", ipv6Flows);
        row(text, "TCP flows", tcpFlows());
        row(text, "  short, FIN close", shortFin);
        row(text, "  short, client RST close", shortRst);
        row(text, "  bulk", bulk);
        row(text, "  idle with keep-alives", keepAliveSessions);
        row(text, "  unanswered SYNs, dropped at server", unansweredDroppedAtServer);
        row(text, "  unanswered SYNs, lost before server", unansweredLostBeforeServer);
        row(text, "  refused connects (RST to SYN)", refused);
        row(text, "  mid-stream reset by server", midStreamReset);
        row(text, "keep-alive probes", keepAliveProbes);
        row(text, "DNS exchanges", dnsExchanges);
        row(text, "ICMP echo exchanges", icmpEchoes);
        row(text, "ICMP port unreachable", icmpUnreachable);
        return text.toString();
    }

    private static void row(StringBuilder text, String name, long count) {
        text.append(String.format(Locale.ROOT, "%-40s %,12d%n", name, count));
    }

    /** The counts while the mix is being made. */
    static final class Tally {
        long shortFin;
        long shortRst;
        long bulk;
        long keepAliveSessions;
        long unansweredDroppedAtServer;
        long unansweredLostBeforeServer;
        long refused;
        long midStreamReset;
        long dnsExchanges;
        long icmpEchoes;
        long icmpUnreachable;
        long keepAliveProbes;
        long ipv6Flows;
        long flows;

        MixTruth toTruth(long clientPackets, long serverPackets) {
            return new MixTruth(clientPackets, serverPackets, shortFin, shortRst, bulk, keepAliveSessions,
                    unansweredDroppedAtServer, unansweredLostBeforeServer, refused, midStreamReset, dnsExchanges,
                    icmpEchoes, icmpUnreachable, keepAliveProbes, ipv6Flows, flows);
        }
    }
}
