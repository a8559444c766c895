package dev.wirewatch.processor.flow;

import static dev.wirewatch.schemas.TcpFlags.ACK;
import static dev.wirewatch.schemas.TcpFlags.SYN;

import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.FlowKey;
import java.util.Arrays;
import java.util.Set;

/** Which side of a connection is the originator: Zeek's guess from the first packet, and a later packet's direction. */
final class Orientation {
    /**
     * Zeek's default {@code likely_server_ports} for TCP: the ports its base scripts register for their analyzers
     * ({@code Analyzer::register_for_ports}). A first packet that is not a SYN, sent from one of them, is from the
     * responder.
     */
    private static final Set<Integer> LIKELY_TCP_SERVER_PORTS = Set.of(21, 22, 25, 53, 79, 80, 81, 88, 135, 139, 143,
            389, 443, 445, 465, 502, 514, 563, 585, 587, 614, 631, 636, 989, 990, 992, 993, 995, 1080, 1434, 1883, 2811,
            3128, 3268, 3306, 3389, 5222, 5223, 5269, 5432, 6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000);
    /** The same for UDP, including the tunnel ports of Zeek's packet analyzers (Teredo, VXLAN, Geneve, ...). */
    private static final Set<Integer> LIKELY_UDP_SERVER_PORTS = Set.of(53, 67, 88, 123, 137, 161, 162, 389, 443, 514,
            1812, 2123, 2152, 3389, 3544, 4011, 4754, 4789, 5060, 5072, 5353, 5355, 6081, 20000);

    private Orientation() {}

    /**
     * Zeek's guess, from the first packet alone, that it came from the responder: it is not a SYN (a SYN-ACK
     * included) and is sent from a likely server port, to a port that is not one (or, both being likely, to the
     * higher one, unless it is a SYN-ACK, which may be a stealth scan's). UDP: from a likely server port to a port
     * that is not one. Never towards a broadcast address.
     */
    static boolean startsFromResponder(PacketEvent first) {
        return guessesResponder(first) && !isBroadcast(Addresses.bytes(first.getDst()));
    }

    private static boolean guessesResponder(PacketEvent first) {
        int srcPort = first.getSrcPort();
        int dstPort = first.getDstPort();
        if (first.getProtocol() == FlowKey.TCP && first.getTcp() != null) {
            int flags = first.getTcp().getFlags();
            boolean syn = (flags & SYN) != 0;
            boolean ack = (flags & ACK) != 0;
            if ((syn && !ack) || !LIKELY_TCP_SERVER_PORTS.contains(srcPort)) {
                return false;
            }
            return !LIKELY_TCP_SERVER_PORTS.contains(dstPort) || (!syn && srcPort < dstPort);
        }
        if (first.getProtocol() == FlowKey.UDP) {
            return LIKELY_UDP_SERVER_PORTS.contains(srcPort) && !LIKELY_UDP_SERVER_PORTS.contains(dstPort);
        }
        return false;
    }

    private static boolean isBroadcast(byte[] address) {
        return address.length == 4 && (address[0] & address[1] & address[2] & address[3]) == (byte) 0xff;
    }

    /**
     * The packet comes from the originator at {@code origAddress}:{@code origPort}; on a connection from a port to
     * itself only the way it was first seen counts as from the originator.
     */
    static boolean fromOriginator(PacketEvent packet, byte[] origAddress, int origPort, byte[] respAddress) {
        return packet.getSrcPort() == origPort && Arrays.equals(Addresses.bytes(packet.getSrc()), origAddress)
                && (packet.getDstPort() != origPort || !Arrays.equals(origAddress, respAddress)
                        || !Arrays.equals(Addresses.bytes(packet.getDst()), respAddress));
    }

    /** Swaps originator and responder, with everything counted for each, and notes it in the history (Zeek's FlipRoles). */
    static void flipRoles(ConnectionView view) {
        byte[] address = view.origAddress;
        view.origAddress = view.respAddress;
        view.respAddress = address;
        int port = view.origPort;
        view.origPort = view.respPort;
        view.respPort = port;
        TcpEndpoint endpoint = view.orig;
        view.orig = view.resp;
        view.resp = endpoint;
        long count = view.origPackets;
        view.origPackets = view.respPackets;
        view.respPackets = count;
        count = view.origPayload;
        view.origPayload = view.respPayload;
        view.respPayload = count;
        view.history.flipped();
    }
}
