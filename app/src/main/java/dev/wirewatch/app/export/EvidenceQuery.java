package dev.wirewatch.app.export;

import dev.wirewatch.record.Alert;
import dev.wirewatch.record.ArpEvent;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.FlowKey;
import dev.wirewatch.schemas.Times;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Predicate;

/**
 * Which records are the evidence of a flow or an alert: a test on ww.packets records, optionally one on ww.l2, and a
 * capture-time window. When the evidence is one flow, its canonical key names the one partition to read.
 *
 * @param subject    what is exported, for messages
 * @param flow       the one flow, or null when the evidence spans flows (then every partition is read)
 * @param packets    the test on a ww.packets record
 * @param arp        the test on a ww.l2 record, or null when ARP is no evidence of this subject
 * @param fromMicros first capture time, inclusive ({@link Long#MIN_VALUE}: from the start of the topic)
 * @param toMicros   last capture time, inclusive ({@link Long#MAX_VALUE}: to its current end)
 */
public record EvidenceQuery(String subject, FlowKey flow, PacketMatch packets, Predicate<ArpEvent> arp, long fromMicros,
                            long toMicros) {

    /**
     * A test on one ww.packets record (a PacketEvent or a FlowActivity): its record key (the canonical flow key, with
     * the public names of NATed endpoints), the host that captured it and the addresses as that host saw them.
     */
    @FunctionalInterface
    public interface PacketMatch {
        boolean test(FlowKey key, String host, byte[] src, byte[] dst);
    }

    /** Every packet of one flow, at every vantage. */
    public static EvidenceQuery ofFlow(FlowKey flow, long fromMicros, long toMicros) {
        return new EvidenceQuery(flow.toString(), flow, (key, host, src, dst) -> key.equals(flow), null, fromMicros,
                toMicros);
    }

    /**
     * The packets behind an alert, read from its subject fields (ALERTS.md) in [first_seen - margin, last_seen +
     * margin]: client and server name one flow; a server alone every flow to that service (from client_ip only, when
     * the alert names one); an ip its ARP and every packet to or from it; host and dst_ip that host's packets to or
     * from dst_ip.
     *
     * @throws IllegalArgumentException when the alert names no flow or address (SENSOR_DEGRADED)
     */
    public static EvidenceQuery ofAlert(Alert alert, Duration margin) {
        long from = alert.getFirstSeenMicros() - margin.toNanos() / 1000;
        long to = alert.getLastSeenMicros() + margin.toNanos() / 1000;
        String subject = alert.getType() + " " + alert.getId();
        if (alert.getClient() != null && alert.getServer() != null) {
            FlowSpec.Endpoint client = FlowSpec.endpoint(alert.getClient());
            FlowSpec.Endpoint server = FlowSpec.endpoint(alert.getServer());
            FlowKey flow = FlowKey.of(FlowKey.TCP, client.address(), client.port(), server.address(), server.port());
            return new EvidenceQuery(subject + " (" + flow + ")", flow, (key, host, src, dst) -> key.equals(flow), null,
                    from, to);
        }
        if (alert.getServer() != null) {
            FlowSpec.Endpoint server = FlowSpec.endpoint(alert.getServer());
            byte[] clientIp = alert.getClientIp() == null ? null : Addresses.parse(alert.getClientIp());
            return new EvidenceQuery(subject + " (service " + alert.getServer() + ")", null,
                    (key, host, src, dst) -> key.protocol() == FlowKey.TCP && servedTo(key, server, clientIp), null,
                    from, to);
        }
        if (alert.getIp() != null) {
            byte[] ip = Addresses.parse(alert.getIp());
            return new EvidenceQuery(subject + " (address " + alert.getIp() + ")", null,
                    (key, host, src, dst) -> involves(key, src, dst, ip),
                    arp -> arp.getOperation() != 0 && (Arrays.equals(Addresses.bytes(arp.getSenderIp()), ip)
                            || Arrays.equals(Addresses.bytes(arp.getTargetIp()), ip)), from, to);
        }
        if (alert.getDstIp() != null && alert.getHost() != null) {
            byte[] ip = Addresses.parse(alert.getDstIp());
            String sender = alert.getHost();
            return new EvidenceQuery(subject + " (" + sender + " to " + alert.getDstIp() + ")", null,
                    (key, host, src, dst) -> host.equals(sender) && involves(key, src, dst, ip), null, from, to);
        }
        throw new IllegalArgumentException("alert " + alert.getId() + " (" + alert.getType()
                + ") names no flow and no address: it has no packets to export");
    }

    /** The same query over another capture-time window (the user's --from / --to). */
    public EvidenceQuery within(long fromMicros, long toMicros) {
        return new EvidenceQuery(subject, flow, packets, arp, fromMicros, toMicros);
    }

    public boolean inWindow(long tsMicros) {
        return tsMicros >= fromMicros && tsMicros <= toMicros;
    }

    public String window() {
        return (fromMicros == Long.MIN_VALUE ? "the start" : Times.iso(fromMicros)) + " and "
                + (toMicros == Long.MAX_VALUE ? "now" : Times.iso(toMicros));
    }

    private static boolean servedTo(FlowKey key, FlowSpec.Endpoint server, byte[] clientIp) {
        boolean low = key.isLow(server.address(), server.port());
        boolean high = !low && key.highPort() == server.port() && Arrays.equals(key.highAddress(), server.address());
        if (!low && !high) {
            return false;
        }
        return clientIp == null || Arrays.equals(low ? key.highAddress() : key.lowAddress(), clientIp);
    }

    /** The address is an end of the flow (by key, as NAT names it) or of the packet (as its host saw it). */
    private static boolean involves(FlowKey key, byte[] src, byte[] dst, byte[] ip) {
        return Arrays.equals(key.lowAddress(), ip) || Arrays.equals(key.highAddress(), ip) || Arrays.equals(src, ip)
                || Arrays.equals(dst, ip);
    }
}
