package dev.wirewatch.app.console;

import dev.wirewatch.app.export.EvidenceScan.Sighting;
import dev.wirewatch.record.DirectionActivity;
import dev.wirewatch.record.FlowActivity;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.TcpHeader;
import dev.wirewatch.schemas.Addresses;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One connection's packets as every vantage (host/interface) recorded them, joined into arrows: a packet seen leaving
 * the client's side and arriving at the server's is one arrow through both vantages; one that left a vantage and
 * that a vantage further along never recorded, though it ships packets going that way and summarised none then, is
 * lost after it — what the seed's engineers drew by hand from
 * two captures. A packet is the same packet at two vantages when direction, flags, seq, ack, payload length and
 * TSval agree (NAT may change addresses and ports, not these); identical retransmissions pair in order.
 */
final class Ladder {
    /** A packet's TCP identity plus the vantage-independent direction. */
    private record Identity(boolean toServer, int flags, long seq, long ack, int length, Long tsVal) {}

    record Vantage(String id, String host, String iface) {}

    record Hop(String vantage, long tsMicros) {}

    record Arrow(boolean toServer, String flags, long seq, long ack, Long tsVal, int length, String src, String dst,
                 List<Hop> hops, String lostAfter) {}

    record Summary(String vantage, long fromMicros, long toMicros, String text) {}

    record Drawing(List<Vantage> vantages, long startMicros, List<Arrow> arrows, List<Summary> summaries) {}

    /** A packet's time at one vantage and at the next differ by the path's delay and the two clocks' skew. */
    private static final long SUMMARY_SLACK_MICROS = 1_000_000;

    private Ladder() {}

    /** @param serverPort the service's port as its clients name it: which side of a packet is the server */
    static Drawing of(List<Sighting> packets, List<Sighting> activity, int serverPort) {
        Map<String, Vantage> vantages = new LinkedHashMap<>();
        Map<String, String> clientOf = new HashMap<>(); // per vantage: the endpoint that opened the connection
        List<Sighting> tcp = packets.stream().filter(s -> s.event() instanceof PacketEvent p && p.getTcp() != null)
                .sorted(Comparator.comparingLong(Sighting::tsMicros)).toList();
        for (Sighting sighting : tcp) {
            PacketEvent packet = (PacketEvent) sighting.event();
            String vantage = vantage(sighting, vantages);
            int flags = packet.getTcp().getFlags();
            if ((flags & 0x12) == 0x02) {
                clientOf.putIfAbsent(vantage, source(packet));
            } else if ((flags & 0x12) == 0x12) {
                clientOf.putIfAbsent(vantage, destination(packet));
            }
        }
        activity.forEach(sighting -> vantage(sighting, vantages));
        List<String> order = pathOrder(tcp, vantages, clientOf, serverPort);

        Map<Identity, Map<String, List<Sighting>>> seen = new LinkedHashMap<>();
        Map<String, Set<Boolean>> recordedDirections = new HashMap<>(); // per vantage: which ways it shipped
        for (Sighting sighting : tcp) {
            PacketEvent packet = (PacketEvent) sighting.event();
            String vantage = id(sighting);
            boolean toServer = toServer(packet, clientOf.get(vantage), serverPort);
            recordedDirections.computeIfAbsent(vantage, key -> new HashSet<>()).add(toServer);
            TcpHeader header = packet.getTcp();
            Identity identity = new Identity(toServer, header.getFlags(), header.getSeq(), header.getAck(),
                    header.getPayloadLength(), header.getTsVal());
            seen.computeIfAbsent(identity, key -> new LinkedHashMap<>()).computeIfAbsent(vantage, key -> new ArrayList<>())
                    .add(sighting);
        }
        List<Arrow> arrows = new ArrayList<>();
        seen.forEach((identity, byVantage) -> {
            int copies = byVantage.values().stream().mapToInt(List::size).max().orElse(0);
            List<String> travel = new ArrayList<>(order);
            if (!identity.toServer()) {
                Collections.reverse(travel);
            }
            for (int copy = 0; copy < copies; copy++) {
                List<Hop> hops = new ArrayList<>();
                PacketEvent first = null;
                for (String vantage : travel) {
                    List<Sighting> there = byVantage.getOrDefault(vantage, List.of());
                    if (copy < there.size()) {
                        hops.add(new Hop(vantage, there.get(copy).tsMicros()));
                        first = first == null ? (PacketEvent) there.get(copy).event() : first;
                    }
                }
                Hop last = hops.get(hops.size() - 1);
                List<String> further = travel.subList(travel.indexOf(last.vantage()) + 1, travel.size());
                boolean missedFurtherOn = further.stream().anyMatch(vantage -> wouldHaveRecorded(vantage,
                        identity.toServer(), last.tsMicros(), recordedDirections, activity));
                arrows.add(new Arrow(identity.toServer(), flags(identity.flags()), identity.seq(), identity.ack(),
                        identity.tsVal(), identity.length(), source(first), destination(first), List.copyOf(hops),
                        missedFurtherOn ? last.vantage() : null));
            }
        });
        arrows.sort(Comparator.comparingLong(arrow -> arrow.hops().get(0).tsMicros()));

        List<Summary> summaries = new ArrayList<>();
        for (Sighting sighting : activity) {
            if (sighting.event() instanceof FlowActivity summary) {
                summaries.add(new Summary(id(sighting), Math.min(first(summary.getForward()), first(summary.getReverse())),
                        summary.getTsMicros(), describe(summary)));
            }
        }
        long start = arrows.stream().mapToLong(arrow -> arrow.hops().get(0).tsMicros()).min()
                .orElse(summaries.stream().mapToLong(Summary::fromMicros).min().orElse(0));
        List<Vantage> ordered = order.stream().map(vantages::get).toList();
        return new Drawing(ordered, start, arrows, summaries);
    }

    /**
     * Whether {@code vantage} would have shipped a packet going this way at this time had it passed: it shipped packets
     * going this way (it captures that direction), and no control-mode summary of its covers the moment (a summarised
     * packet was recorded, only not shipped one by one). Otherwise its silence says nothing about a loss.
     */
    private static boolean wouldHaveRecorded(String vantage, boolean toServer, long atMicros,
                                             Map<String, Set<Boolean>> recordedDirections,
                                             List<Sighting> activity) {
        if (!recordedDirections.getOrDefault(vantage, Set.of()).contains(toServer)) {
            return false;
        }
        return activity.stream().noneMatch(sighting -> id(sighting).equals(vantage)
                && sighting.event() instanceof FlowActivity summary
                && Math.min(first(summary.getForward()), first(summary.getReverse())) <= atMicros + SUMMARY_SLACK_MICROS
                && atMicros - SUMMARY_SLACK_MICROS <= summary.getTsMicros());
    }

    /**
     * Client side first, server side last: a vantage that saw the connection's first packets to the server earlier
     * is nearer the client (a SYN reaches the client's capture before the server's); those that saw none go last.
     */
    private static List<String> pathOrder(List<Sighting> tcp, Map<String, Vantage> vantages,
                                          Map<String, String> clientOf, int serverPort) {
        Map<String, Long> firstToServer = new HashMap<>();
        for (Sighting sighting : tcp) {
            String vantage = id(sighting);
            if (toServer((PacketEvent) sighting.event(), clientOf.get(vantage), serverPort)) {
                firstToServer.putIfAbsent(vantage, sighting.tsMicros());
            }
        }
        return vantages.keySet().stream().sorted(Comparator.comparingLong((String v) ->
                firstToServer.getOrDefault(v, Long.MAX_VALUE)).thenComparing(v -> v)).toList();
    }

    private static boolean toServer(PacketEvent packet, String client, int serverPort) {
        return client != null ? source(packet).equals(client) : packet.getDstPort() == serverPort;
    }

    private static String vantage(Sighting sighting, Map<String, Vantage> vantages) {
        String id = id(sighting);
        vantages.putIfAbsent(id, new Vantage(id, sighting.host(), sighting.iface()));
        return id;
    }

    private static String id(Sighting sighting) {
        return sighting.host() + "/" + sighting.iface();
    }

    private static String source(PacketEvent packet) {
        return Addresses.endpoint(Addresses.bytes(packet.getSrc()), packet.getSrcPort());
    }

    private static String destination(PacketEvent packet) {
        return Addresses.endpoint(Addresses.bytes(packet.getDst()), packet.getDstPort());
    }

    private static long first(DirectionActivity direction) {
        return direction.getPackets() == 0 ? Long.MAX_VALUE : direction.getFirstTsMicros();
    }

    private static String describe(FlowActivity summary) {
        return String.format("%s → %s: %d packets (%d with data, %d bytes), back: %d packets (%d with data, %d bytes)"
                        + " — summarised by a control-mode sensor", Addresses.endpoint(Addresses.bytes(summary.getSrc()),
                        summary.getSrcPort()), Addresses.endpoint(Addresses.bytes(summary.getDst()), summary.getDstPort()),
                summary.getForward().getPackets(), summary.getForward().getDataPackets(),
                summary.getForward().getPayloadBytes(), summary.getReverse().getPackets(),
                summary.getReverse().getDataPackets(), summary.getReverse().getPayloadBytes());
    }

    /** tcpdump's letters in a fixed order: S, F, R, P, A, U, E, C (SYN-ACK is "SA"). */
    static String flags(int bits) {
        StringBuilder letters = new StringBuilder();
        int[] masks = {0x02, 0x01, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80};
        String names = "SFRPAUEC";
        for (int i = 0; i < masks.length; i++) {
            if ((bits & masks[i]) != 0) {
                letters.append(names.charAt(i));
            }
        }
        return letters.toString();
    }

    static Optional<Integer> port(String endpoint) {
        int colon = endpoint == null ? -1 : endpoint.lastIndexOf(':');
        return colon < 0 ? Optional.empty() : Optional.of(Integer.parseInt(endpoint.substring(colon + 1)));
    }
}
