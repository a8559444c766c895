package dev.wirewatch.processor.flow;

import static dev.wirewatch.processor.flow.Absent.NONE;
import static dev.wirewatch.processor.flow.EndpointState.RESET;

import dev.wirewatch.record.FlowActivity;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.CommunityId;
import dev.wirewatch.schemas.FlowKey;
import java.util.Arrays;
import java.util.List;

/**
 * One vantage's (host + interface) view of one connection, classified as Zeek classifies it, so flow records read
 * like a conn.log and compare one to one with Zeek's baselines. The TCP state machine follows Zeek's TCP analyzer:
 * two endpoints, each INACTIVE, SYN_SENT, SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED or RESET; its rules for
 * which side is the originator, for when a packet on the same addresses and ports starts a new connection, and
 * for when a connection is removed (see {@link ConnectionTimeouts}).
 *
 * <p>Its conn_state codes are listed on {@link ConnState}, its history letters on {@link ConnectionHistory}
 * (Zeek's vocabulary, from {@code scripts/base/protocols/conn/main.zeek}).
 *
 * <p>Where this differs from Zeek: a headers-only sensor never captures payload, so G means sequence space that
 * was never seen at all; Zeek also counts payload that its snap length cut off (a headers-only pcap shows G on
 * every acknowledged byte in Zeek). Zeek's {@code missed_bytes}, service detection and tunnel decapsulation are
 * not modelled.
 *
 * <p>Besides Zeek's view it keeps what the detectors ask: the originator's SYNs and their times, whether a SYN-ACK
 * or a responder RST came, the handshake round trip. Absent times are {@link Absent#NONE}.
 *
 * <p>The parts, along the seams of Zeek's analyzer: {@link Orientation} (who is the originator), {@link TcpAnalyzer}
 * (a packet; {@link DatagramAnalyzer} for UDP and ICMP; {@link SummaryApplier} a sensor's summary) with {@link TcpStateMachine} over each side's
 * {@link TcpEndpoint} and its {@link EndpointState}, {@link ConnectionHistory}, {@link RemovalTimers},
 * {@link ConnState}; {@link ViewCodec} stores it in the processor's flow store.
 */
public final class ConnectionView {
    // Package-private for the parts that move them (TcpAnalyzer, TcpStateMachine, DatagramAnalyzer, SummaryApplier,
    // Orientation, which swaps the roles), ViewCodec and LegacyFlowStateReader, which store and read them back.
    int protocol;
    byte[] origAddress;
    byte[] respAddress;
    int origPort;
    int respPort;
    TcpEndpoint orig = new TcpEndpoint();
    TcpEndpoint resp = new TcpEndpoint();
    ConnectionHistory history = new ConnectionHistory();
    RemovalTimers timers = new RemovalTimers();
    long startMicros;
    /** The last activity that counts for removal: a TCP packet after both sides closed does not. */
    long lastMicros;
    long lastPacketMicros;
    long origPackets;
    long respPackets;
    /** IP payload of UDP and ICMP (TCP's bytes are its sequence space). */
    long origPayload;
    long respPayload;

    ConnectionView() {}

    /** A new connection whose first packet is {@code first}; the roles follow Zeek's orientation rules. */
    public static ConnectionView start(PacketEvent first) {
        ConnectionView view = new ConnectionView();
        view.protocol = first.getProtocol();
        view.origAddress = Addresses.bytes(first.getSrc());
        view.respAddress = Addresses.bytes(first.getDst());
        view.origPort = first.getSrcPort();
        view.respPort = first.getDstPort();
        view.startMicros = first.getTsMicros();
        view.lastMicros = first.getTsMicros();
        view.lastPacketMicros = first.getTsMicros();
        if (Orientation.startsFromResponder(first)) {
            Orientation.flipRoles(view);
        }
        view.observe(first);
        return view;
    }

    /** Adds a later packet of this connection (either direction, time order; see {@link #startsNewConnection}). */
    public void observe(PacketEvent packet) {
        boolean isOrig = Orientation.fromOriginator(packet, origAddress, origPort, respAddress);
        long ts = packet.getTsMicros();
        lastPacketMicros = Math.max(lastPacketMicros, ts);
        if (protocol == FlowKey.TCP && packet.getTcp() != null) {
            // Counted after processing: the packet may have flipped the roles (Zeek's ConnSize flips with them).
            if (TcpAnalyzer.observe(this, packet.getTcp(), isOrig, ts) == orig) {
                origPackets++;
            } else {
                respPackets++;
            }
        } else {
            DatagramAnalyzer.observe(this, packet, isOrig, ts);
        }
    }

    /**
     * Adds a sensor's summary of steady traffic ({@code --mode control}): packets that changed no state, so only
     * counters, times, the highest sequence and acknowledgement numbers and the scaled letters move.
     */
    public void observeActivity(FlowActivity activity) {
        SummaryApplier.apply(this, activity);
    }

    /** Zeek's reuse rule: this packet opens a new connection on the same addresses and ports. */
    public boolean startsNewConnection(PacketEvent packet) {
        return protocol == FlowKey.TCP && packet.getTcp() != null && TcpAnalyzer.isReuse(this, packet.getTcp());
    }

    /** When Zeek would remove this connection, given what it has seen so far. */
    public long expiresAtMicros(ConnectionTimeouts limits) {
        if (protocol == FlowKey.UDP) {
            boolean dns = origPort == 53 || respPort == 53;
            return lastMicros + (dns ? limits.dnsInactivity() : limits.udpInactivity());
        }
        if (protocol != FlowKey.TCP) {
            return lastMicros + limits.icmpInactivity();
        }
        return timers.removalMicros(orig, resp, startMicros, lastMicros, limits);
    }

    /** Zeek's conn_state for this view. */
    public String connState() {
        return protocol == FlowKey.TCP ? ConnState.ofTcp(orig, resp, history)
                : ConnState.ofDatagrams(protocol, origPackets, respPackets);
    }

    public String history() {
        return history.toString();
    }

    public int protocol() {
        return protocol;
    }

    public byte[] originatorAddress() {
        return origAddress.clone();
    }

    public byte[] responderAddress() {
        return respAddress.clone();
    }

    public String originatorIp() {
        return Addresses.ip(origAddress);
    }

    public String responderIp() {
        return Addresses.ip(respAddress);
    }

    public int originatorPort() {
        return origPort;
    }

    public int responderPort() {
        return respPort;
    }

    public String originatorEndpoint() {
        return Addresses.endpoint(origAddress, origPort);
    }

    public String responderEndpoint() {
        return Addresses.endpoint(respAddress, respPort);
    }

    public String communityId() {
        return CommunityId.v1(origAddress, respAddress, protocol, origPort, respPort);
    }

    public long originatorPackets() {
        return origPackets;
    }

    public long responderPackets() {
        return respPackets;
    }

    /** Payload bytes: TCP sequence space as Zeek's conn.log orig_bytes, else IP payload. */
    public long originatorBytes() {
        return protocol == FlowKey.TCP ? orig.size(resp) : origPayload;
    }

    public long responderBytes() {
        return protocol == FlowKey.TCP ? resp.size(orig) : respPayload;
    }

    public long firstSeenMicros() {
        return startMicros;
    }

    public long lastSeenMicros() {
        return lastPacketMicros;
    }

    /** SYNs without ACK from the originator, retransmissions included. */
    public int synCount() {
        return orig.synCount;
    }

    /** When the originator's first SYN was seen; {@link Absent#NONE} when none was. */
    public long firstSynMicros() {
        return orig.firstSynMicros;
    }

    /** When the originator's last SYN was seen; {@link Absent#NONE} when none was. */
    public long lastSynMicros() {
        return orig.lastSynMicros;
    }

    /** A SYN-ACK was seen (from either side: an unanswered SYN-ACK may come from the nominal originator). */
    public boolean sawSynAck() {
        return orig.firstSynAckMicros != NONE || resp.firstSynAckMicros != NONE;
    }

    public boolean sawRstFromResponder() {
        return resp.sentRst;
    }

    /** Every packet the originator sent so far was a SYN without ACK: it has had no answer it acted on. */
    public boolean originatorSentOnlySyns() {
        return orig.sentOnlySyns && orig.synCount > 0;
    }

    /** The TSval of the originator's first SYN; null when it carried no timestamp option (or no SYN was seen). */
    public Long synTsVal() {
        return orig.synCount > 0 && orig.firstSynTsVal != NONE ? orig.firstSynTsVal : null;
    }

    /** The responder answered the originator's SYN here: with a SYN-ACK or a RST. */
    public boolean synAnswered() {
        return orig.synCount > 0 && (resp.firstSynAckMicros != NONE || resp.sentRst);
    }

    /** The originator's first SYN to the responder's first SYN-ACK, as seen here; null when either is missing. */
    public Long handshakeRttMicros() {
        long synAck = resp.firstSynAckMicros;
        return orig.synCount > 0 && synAck != NONE && synAck >= orig.firstSynMicros
                ? synAck - orig.firstSynMicros : null;
    }

    /**
     * What one side sent, as this vantage saw it (for the detectors that compare vantages).
     *
     * @param packets                packets seen from it
     * @param lastMicros             its last packet ({@link Absent#NONE}: none)
     * @param firstRstMicros         its first RST ({@link Absent#NONE}: none)
     * @param firstFinMicros         its first FIN ({@link Absent#NONE}: none)
     * @param probeRun               keep-alive probes (seq = next - 1, 0 or 1 byte) since the peer last sent anything
     * @param provenUnansweredProbes the most probes of an earlier run that the peer left unanswered
     * @param retransmissions        retransmitted segments
     */
    public record Sent(long packets, long lastMicros, long firstRstMicros, long firstFinMicros, int probeRun,
                       long probeRunFirstMicros, long probeRunLastMicros, int provenUnansweredProbes,
                       long retransmissions) {
        public boolean reset() {
            return firstRstMicros != NONE;
        }

        public boolean closed() {
            return firstFinMicros != NONE;
        }
    }

    /** What the side at {@code address}:{@code port} sent, or null if that is neither side of this connection. */
    public Sent sentBy(byte[] address, int port) {
        if (port == origPort && Arrays.equals(address, origAddress)) {
            return orig.sent();
        }
        if (port == respPort && Arrays.equals(address, respAddress)) {
            return resp.sent();
        }
        return null;
    }

    /** What each side sent, originator first. */
    public List<Sent> sentByEachSide() {
        return List.of(orig.sent(), resp.sent());
    }

    /** Both sides were seen to complete the handshake here (SYN, SYN-ACK, and the originator's ACK or data). */
    public boolean sawHandshake() {
        return orig.synCount > 0 && resp.firstSynAckMicros != NONE && !orig.sentOnlySyns;
    }

    /** A side reset the connection (its endpoint is in Zeek's RESET state). */
    public boolean reset() {
        return orig.state == RESET || resp.state == RESET;
    }

    /**
     * Zeek considers the connection over: both sides closed, one side reset, or one side closed while the other
     * was never seen; it is removed {@link ConnectionTimeouts#closeDelay()} after its last activity.
     */
    public boolean closed() {
        return timers.over();
    }
}
