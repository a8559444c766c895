package dev.wirewatch.processor.flow;

import static dev.wirewatch.processor.flow.TcpEndpoint.CLOSED;
import static dev.wirewatch.processor.flow.TcpEndpoint.ESTABLISHED;
import static dev.wirewatch.processor.flow.TcpEndpoint.INACTIVE;
import static dev.wirewatch.processor.flow.TcpEndpoint.PARTIAL;
import static dev.wirewatch.processor.flow.TcpEndpoint.RESET;
import static dev.wirewatch.processor.flow.TcpEndpoint.SYN_ACK_SENT;
import static dev.wirewatch.processor.flow.TcpEndpoint.SYN_SENT;
import static dev.wirewatch.schemas.TcpFlags.ACK;
import static dev.wirewatch.schemas.TcpFlags.FIN;
import static dev.wirewatch.schemas.TcpFlags.RST;
import static dev.wirewatch.schemas.TcpFlags.SYN;

import dev.wirewatch.record.DirectionActivity;
import dev.wirewatch.record.FlowActivity;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.TcpHeader;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.CommunityId;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * One vantage's (host + interface) view of one connection, classified as Zeek classifies it, so flow records read
 * like a conn.log and compare one to one with Zeek's baselines. The TCP state machine follows Zeek's TCP analyzer:
 * two endpoints, each INACTIVE, SYN_SENT, SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED or RESET; its rules for
 * which side is the originator, for when a packet on the same addresses and ports starts a new connection, and
 * for when a connection is removed (see {@link ConnectionTimeouts}).
 *
 * <p>Vocabulary (Zeek's, from {@code scripts/base/protocols/conn/main.zeek}):
 * <ul>
 *   <li><b>conn_state</b>: {@code S0} SYN seen, no reply; {@code S1} established, not closed; {@code SF} normal
 *       close by both sides; {@code REJ} SYN answered by RST; {@code S2} / {@code S3} established, close attempt
 *       by the originator / responder only; {@code RSTO} / {@code RSTR} established, then reset by the originator /
 *       responder; {@code RSTOS0} originator sent SYN then RST, no SYN-ACK; {@code RSTRH} responder sent SYN-ACK
 *       (or anything) then RST, originator never seen; {@code SH} / {@code SHR} originator / responder sent SYN or
 *       SYN-ACK then FIN, no reply; {@code OTH} anything else (midstream). UDP: {@code SF} both sides sent,
 *       {@code S0} originator only, {@code SHR} responder only; ICMP: always {@code OTH}.</li>
 *   <li><b>history</b>, upper case from the originator, lower case from the responder: {@code S} SYN without ACK,
 *       {@code H} SYN-ACK, {@code A} pure ACK, {@code D} packet with payload, {@code F} FIN, {@code R} RST,
 *       {@code Q} SYN+FIN or SYN+RST, {@code I} FIN+RST, {@code T} retransmitted payload, {@code G} content gap
 *       (the peer acknowledged sequence space this vantage never saw), {@code W} zero window; {@code ^} the
 *       roles were flipped (the first packet was judged to come from the responder). Each letter is added once
 *       per side, except that S, H, F and R are added again for a packet with a new sequence number, and T, G
 *       and W are added at the 1st, 10th, 100th, ... occurrence.</li>
 * </ul>
 *
 * <p>Where this differs from Zeek: a headers-only sensor never captures payload, so G means sequence space that
 * was never seen at all; Zeek also counts payload that its snap length cut off (a headers-only pcap shows G on
 * every acknowledged byte in Zeek). Zeek's {@code missed_bytes}, service detection and tunnel decapsulation are
 * not modelled.
 *
 * <p>Besides Zeek's view it keeps what the detectors ask: the originator's SYNs and their times, whether a SYN-ACK
 * or a responder RST came, the handshake round trip. {@link FlowStateCodec} stores the state in the
 * processor's flow store.
 */
public final class ConnectionView {
    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final int ACK = 0x10;
    private static final int TOO_LARGE_SEQ_DELTA = 1_048_576;

    // History "seen" bits per letter; responder bits are shifted by 16 (as Zeek does).
    private static final int HIST_SYN = 0x1;
    private static final int HIST_FIN = 0x2;
    private static final int HIST_RST = 0x4;
    private static final int HIST_FIN_RST = 0x8;
    private static final int HIST_DATA = 0x10;
    private static final int HIST_ACK = 0x20;
    private static final int HIST_MULTI_FLAG = 0x40;

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

    // Package-private for ViewCodec, which stores them, and LegacyFlowStateReader.
    int protocol;
    byte[] origAddress;
    byte[] respAddress;
    int origPort;
    int respPort;
    TcpEndpoint orig = new TcpEndpoint();
    TcpEndpoint resp = new TcpEndpoint();
    StringBuilder history = new StringBuilder();
    int historySeen;
    long startMicros;
    long lastMicros;
    long lastPacketMicros;
    long origPackets;
    long respPackets;
    long origPayload;
    long respPayload;
    // Zeek's removal timers, as the time they were set (Long.MAX_VALUE: not set); their delays apply on reading.
    long attemptFrom = Long.MAX_VALUE;
    long partialCloseFrom = Long.MAX_VALUE;
    long closeExpireFrom = Long.MAX_VALUE;
    long deleteFrom = Long.MAX_VALUE;
    long resetFrom = Long.MAX_VALUE;
    boolean timersCancelled;

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
        if (startsFromResponder(first) && !isBroadcast(view.respAddress)) {
            view.flipRoles();
        }
        view.observe(first);
        return view;
    }

    /**
     * Zeek's guess, from the first packet alone, that it came from the responder: it is not a SYN (a SYN-ACK
     * included) and is sent from a likely server port, to a port that is not one (or, both being likely, to the
     * higher one, unless it is a SYN-ACK, which may be a stealth scan's). UDP: from a likely server port to a port
     * that is not one.
     */
    private static boolean startsFromResponder(PacketEvent first) {
        int srcPort = first.getSrcPort();
        int dstPort = first.getDstPort();
        if (first.getProtocol() == TCP && first.getTcp() != null) {
            int flags = first.getTcp().getFlags();
            boolean syn = (flags & SYN) != 0;
            boolean ack = (flags & ACK) != 0;
            if ((syn && !ack) || !LIKELY_TCP_SERVER_PORTS.contains(srcPort)) {
                return false;
            }
            return !LIKELY_TCP_SERVER_PORTS.contains(dstPort) || (!syn && srcPort < dstPort);
        }
        if (first.getProtocol() == UDP) {
            return LIKELY_UDP_SERVER_PORTS.contains(srcPort) && !LIKELY_UDP_SERVER_PORTS.contains(dstPort);
        }
        return false;
    }

    private static boolean isBroadcast(byte[] address) {
        return address.length == 4 && (address[0] & address[1] & address[2] & address[3]) == (byte) 0xff;
    }

    /** Swaps originator and responder, with everything counted for each, and notes it in the history (Zeek's FlipRoles). */
    private void flipRoles() {
        byte[] address = origAddress;
        origAddress = respAddress;
        respAddress = address;
        int port = origPort;
        origPort = respPort;
        respPort = port;
        TcpEndpoint endpoint = orig;
        orig = resp;
        resp = endpoint;
        long count = origPackets;
        origPackets = respPackets;
        respPackets = count;
        count = origPayload;
        origPayload = respPayload;
        respPayload = count;
        history.append('^');
    }

    private boolean fromOriginator(PacketEvent packet) {
        return packet.getSrcPort() == origPort && Arrays.equals(Addresses.bytes(packet.getSrc()), origAddress)
                && (packet.getDstPort() != origPort || !Arrays.equals(origAddress, respAddress)
                        || !Arrays.equals(Addresses.bytes(packet.getDst()), respAddress));
    }

    /** Adds a later packet of this connection (either direction, time order; see {@link #startsNewConnection}). */
    public void observe(PacketEvent packet) {
        boolean isOrig = fromOriginator(packet);
        long ts = packet.getTsMicros();
        lastPacketMicros = Math.max(lastPacketMicros, ts);
        if (protocol == TCP && packet.getTcp() != null) {
            // Counted after processing: the packet may have flipped the roles (Zeek's ConnSize flips with them).
            if (observeTcp(packet.getTcp(), isOrig, ts) == orig) {
                origPackets++;
            } else {
                respPackets++;
            }
        } else {
            if (isOrig) {
                origPackets++;
            } else {
                respPackets++;
            }
            int payload = Math.max(0, packet.getIpLength() - (packet.getIpVersion() == 6 ? 40 : 20) - (protocol == UDP ? 8 : 0));
            if (isOrig) {
                origPayload += payload;
            } else {
                respPayload += payload;
            }
            lastMicros = Math.max(lastMicros, ts);
            if (protocol == UDP) {
                checkHistory(isOrig, HIST_DATA, 'D');
            }
        }
    }

    /**
     * Adds a sensor's summary of steady traffic ({@code --mode control}): packets that changed no state, so only
     * counters, times, the highest sequence and acknowledgement numbers and the scaled letters move. Sequence
     * numbers of both sides go first, then the acknowledgements, so an ACK for data in the same summary is no gap.
     */
    public void observeActivity(FlowActivity activity) {
        byte[] forwardAddress = Addresses.bytes(activity.getSrc());
        boolean forwardIsOrig = activity.getSrcPort() == origPort && Arrays.equals(forwardAddress, origAddress)
                && !(origPort == respPort && Arrays.equals(origAddress, respAddress));
        DirectionActivity fromOrig = forwardIsOrig ? activity.getForward() : activity.getReverse();
        DirectionActivity fromResp = forwardIsOrig ? activity.getReverse() : activity.getForward();
        applyDirection(fromOrig, true);
        applyDirection(fromResp, false);
        if (protocol == TCP) {
            applyAcknowledgement(fromOrig, resp);
            applyAcknowledgement(fromResp, orig);
        }
    }

    private void applyDirection(DirectionActivity sent, boolean isOrig) {
        if (sent.getPackets() == 0) {
            return;
        }
        long ts = sent.getLastTsMicros();
        lastPacketMicros = Math.max(lastPacketMicros, ts);
        if (isOrig) {
            origPackets += sent.getPackets();
        } else {
            respPackets += sent.getPackets();
        }
        if (protocol != TCP) {
            if (isOrig) {
                origPayload += sent.getPayloadBytes();
            } else {
                respPayload += sent.getPayloadBytes();
            }
            lastMicros = Math.max(lastMicros, ts);
            if (protocol == UDP && sent.getDataPackets() > 0) {
                checkHistory(isOrig, HIST_DATA, 'D');
            }
            return;
        }
        TcpEndpoint endpoint = isOrig ? orig : resp;
        endpoint.sentOnlySyns = false;
        endpoint.packetsSent += sent.getPackets();
        endpoint.lastSentMicros = Math.max(endpoint.lastSentMicros, ts);
        (isOrig ? resp : orig).peerAnswered();
        if (!orig.didClose || !resp.didClose) {
            lastMicros = Math.max(lastMicros, ts);
        }
        if (sent.getDataPackets() > 0) {
            checkHistory(endpoint, HIST_DATA, 'D');
        }
        if (sent.getDataPackets() < sent.getPackets()) {
            checkHistory(endpoint, HIST_ACK, 'A');
        }
        Long seqEnd = sent.getHighestSeqEnd();
        if (seqEnd != null && endpoint.state != RESET) {
            int deltaLast = TcpEndpoint.delta(seqEnd, endpoint.startSeq + endpoint.lastRel);
            if (deltaLast > 0) {
                endpoint.lastRel += deltaLast;
            }
            endpoint.dataEndRel = Math.max(endpoint.dataEndRel, endpoint.relative(seqEnd));
        }
        for (long i = 0; endpoint.state != RESET && i < sent.getRetransmissions(); i++) {
            scaled('T', endpoint, TcpEndpoint.RETRANSMISSION); // as per packet: nothing after a RST is trusted
        }
    }

    private void applyAcknowledgement(DirectionActivity sent, TcpEndpoint peer) {
        Long ackSeq = sent.getHighestAck();
        if (sent.getPackets() == 0 || ackSeq == null || peer.state == INACTIVE) {
            return;
        }
        long relAck = peer.relative(ackSeq);
        int deltaAck = TcpEndpoint.delta(ackSeq, peer.startSeq + peer.ackRel);
        if (relAck >= 0 && deltaAck > 0 && !(ackSeq == 0 && deltaAck > TOO_LARGE_SEQ_DELTA)) {
            peer.ackRel += deltaAck;
        }
        contentGap(peer, relAck);
    }

    /**
     * Zeek's TCP analyzer for one packet. {@code isOrig} is the direction when the packet arrived; it stays so while
     * the packet is processed even if the roles flip meanwhile, as in Zeek. Returns the sending endpoint.
     */
    private TcpEndpoint observeTcp(TcpHeader tcp, boolean isOrig, long ts) {
        int flags = tcp.getFlags();
        boolean syn = (flags & SYN) != 0;
        boolean fin = (flags & FIN) != 0;
        boolean rst = (flags & RST) != 0;
        boolean ack = (flags & ACK) != 0;
        long baseSeq = tcp.getSeq();
        long ackSeq = tcp.getAck();
        int len = tcp.getPayloadLength();
        TcpEndpoint endpoint = isOrig ? orig : resp;
        TcpEndpoint peer = isOrig ? resp : orig;

        boolean keepAliveProbe = !syn && !fin && !rst && len <= 1 && endpoint.state == ESTABLISHED
                && peer.state == ESTABLISHED && endpoint.relative(baseSeq) == endpoint.lastRel - 1;
        if (syn && !ack && endpoint.synCount == 0 && tcp.getTsVal() != null) {
            endpoint.firstSynTsVal = tcp.getTsVal();
        }
        endpoint.noteSent(syn, ack, rst, ts);
        peer.peerAnswered();
        if (keepAliveProbe) {
            endpoint.noteKeepAliveProbe(ts);
        }

        int segmentLength = len + (syn ? 1 : 0) + (fin ? 1 : 0) - (rst ? len : 0);
        long onePast = baseSeq + segmentLength;
        initEndpoint(endpoint, syn, baseSeq, onePast);
        long relSeq = endpoint.relative(baseSeq);
        updateHistory(endpoint, syn, fin, rst, ack, relSeq, len);
        if (tcp.getWindow() == 0 && !rst && peer.state != CLOSED && endpoint.state != RESET) {
            scaled('W', endpoint, TcpEndpoint.ZERO_WINDOW);
        }
        if (!orig.didClose || !resp.didClose) {
            lastMicros = Math.max(lastMicros, ts);
        }
        if (fin) {
            endpoint.noteFin(ts);
            endpoint.finCount++;
            endpoint.finSeqRel = relSeq + segmentLength;
        }
        if (rst) {
            endpoint.rstCount++;
        }
        long relAck = 0;
        if (ack) {
            if (peer.state == INACTIVE) {
                relAck = 1;
                peer.initSequence(ackSeq - 1, ackSeq - 1);
            } else {
                relAck = peer.relative(ackSeq);
                if (relAck >= 0 && !rst) {
                    int deltaAck = TcpEndpoint.delta(ackSeq, peer.startSeq + peer.ackRel);
                    if (!(ackSeq == 0 && deltaAck > TOO_LARGE_SEQ_DELTA) && deltaAck > 0) {
                        peer.ackRel += deltaAck;
                    }
                }
            }
        }
        int deltaLast = updateLastSeq(endpoint, onePast, syn, fin, rst, len);
        endpoint.dataEndRel = Math.max(endpoint.dataEndRel, relSeq + segmentLength);
        boolean[] close = updateStateMachine(endpoint, peer, baseSeq, len, deltaLast, isOrig, syn, fin, rst, ack, ts);
        if (ack && !fin && !rst) {
            contentGap(peer, relAck);
        }
        if (close[0]) {
            connectionClosed(endpoint, peer);
        }
        return endpoint;
    }

    private static void initEndpoint(TcpEndpoint endpoint, boolean syn, long firstSeq, long last) {
        switch (endpoint.state) {
            case INACTIVE -> {
                if (syn) {
                    endpoint.initSequence(firstSeq, last);
                } else {
                    endpoint.initSequence(firstSeq - 1, firstSeq); // a partial connection: as though a SYN was seen
                }
            }
            case SYN_SENT, SYN_ACK_SENT, ESTABLISHED, PARTIAL -> {
                if (syn && (firstSeq & 0xffffffffL) != endpoint.startSeq) {
                    endpoint.initSequence(firstSeq, last);
                }
            }
            case RESET -> {
                if (syn && endpoint.prevState == INACTIVE) {
                    endpoint.initSequence(firstSeq, last);
                }
            }
            default -> { }
        }
    }

    /** Zeek's update_history: the letter for this packet, if it is new. */
    private void updateHistory(TcpEndpoint endpoint, boolean syn, boolean fin, boolean rst, boolean ack, long relSeq,
                               int len) {
        int bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
        if (bits > 1) {
            if (fin && rst) {
                checkHistory(endpoint, HIST_FIN_RST, 'I');
            } else {
                checkHistory(endpoint, HIST_MULTI_FLAG, 'Q');
            }
        } else if (bits == 1) {
            if (syn) {
                char code = ack ? 'H' : 'S';
                if (checkHistory(endpoint, HIST_SYN, code) && relSeq != endpoint.histLastSyn) {
                    addHistory(endpoint == orig, code);
                }
                endpoint.histLastSyn = relSeq;
            }
            if (fin) {
                if (checkHistory(endpoint, HIST_FIN, 'F') && relSeq + len != endpoint.histLastFin) {
                    addHistory(endpoint == orig, 'F');
                }
                endpoint.histLastFin = relSeq + len;
            }
            if (rst) {
                if (checkHistory(endpoint, HIST_RST, 'R') && relSeq != endpoint.histLastRst) {
                    addHistory(endpoint == orig, 'R');
                }
                endpoint.histLastRst = relSeq;
            }
        } else if (len > 0) {
            checkHistory(endpoint, HIST_DATA, 'D');
        } else if (ack) {
            checkHistory(endpoint, HIST_ACK, 'A');
        }
    }

    /**
     * Zeek's TCP_Endpoint::CheckHistory. A connection that began with a SYN-ACK was not flipped (it may be a stealth
     * scan, whose SYN-ACK sender is the originator); the first pure ACK or data after it makes that unlikely, so
     * the roles flip then and the history becomes {@code ^h}, as though the missing SYN had been seen.
     */
    private boolean checkHistory(TcpEndpoint endpoint, int mask, char code) {
        if ((code == 'A' || code == 'D') && history.length() == 1 && history.charAt(0) == 'H') {
            flipRoles();
            history.setLength(0);
            history.append("^h");
        }
        return checkHistory(endpoint == orig, mask, code);
    }

    /** Adds the letter the first time; returns true when it had been seen before (Zeek's Connection::CheckHistory). */
    private boolean checkHistory(boolean isOrig, int mask, char code) {
        int bit = isOrig ? mask : mask << 16;
        if ((historySeen & bit) == 0) {
            historySeen |= bit;
            addHistory(isOrig, code);
            return false;
        }
        return true;
    }

    private void addHistory(boolean isOrig, char code) {
        history.append(isOrig ? code : Character.toLowerCase(code));
    }

    /** T, G and W appear at the 1st, 10th, 100th, ... occurrence on each side. */
    private void scaled(char code, TcpEndpoint endpoint, int kind) {
        if (endpoint.countScaled(kind)) {
            addHistory(endpoint == orig, code);
        }
    }

    private int updateLastSeq(TcpEndpoint endpoint, long lastSeq, boolean syn, boolean fin, boolean rst,
                              int len) {
        int deltaLast = TcpEndpoint.delta(lastSeq, endpoint.startSeq + endpoint.lastRel);
        if ((syn || rst) && (deltaLast > TOO_LARGE_SEQ_DELTA || deltaLast < -TOO_LARGE_SEQ_DELTA)) {
            return deltaLast; // not trusted
        }
        if (fin && endpoint.lastRel == 1) {
            endpoint.lastRel += deltaLast;
        } else if (endpoint.state == RESET) {
            return deltaLast; // nothing after a RST is trusted
        } else if (deltaLast > 0) {
            endpoint.lastRel += deltaLast;
        } else if (len > 0) {
            scaled('T', endpoint, TcpEndpoint.RETRANSMISSION);
        }
        return deltaLast;
    }

    /** An ACK for bytes this vantage never saw the peer send: the capture has a gap (G / g). */
    private void contentGap(TcpEndpoint peer, long relAck) {
        long acked = relAck;
        if (peer.finCount > 0 && acked >= peer.finSeqRel) {
            acked = peer.finSeqRel - 1;
        }
        if (peer.state != INACTIVE && acked > peer.dataEndRel && peer.dataEndRel > 0) {
            scaled('G', peer, TcpEndpoint.GAP);
            peer.dataEndRel = acked;
        }
    }

    /** Zeek's UpdateStateMachine; returns {doClose}. */
    private boolean[] updateStateMachine(TcpEndpoint endpoint, TcpEndpoint peer, long baseSeq, int len, int deltaLast,
                                         boolean isOrig, boolean syn, boolean fin, boolean rst, boolean ack, long ts) {
        boolean doClose = false;
        switch (endpoint.state) {
            case INACTIVE -> {
                if (syn) {
                    if (isOrig) {
                        endpoint.setState(ack ? SYN_ACK_SENT : SYN_SENT);
                        if (!timersCancelled) {
                            attemptFrom = Math.min(attemptFrom, ts);
                        }
                    } else {
                        if (!ack && peer.state == SYN_ACK_SENT && (baseSeq & 0xffffffffL) == endpoint.startSeq) {
                            flipRoles(); // the SYN-ACK was seen before its SYN: the SYN's sender is the originator
                            peer.setState(ESTABLISHED);
                        }
                        if (peer.state == SYN_SENT) {
                            peer.setState(ESTABLISHED);
                        }
                        endpoint.setState(ESTABLISHED);
                    }
                }
                if (fin) {
                    endpoint.setState(CLOSED);
                    doClose = true;
                }
                if (rst) {
                    endpoint.setState(RESET);
                    doClose = true;
                }
                if (endpoint.state == INACTIVE) {
                    if (!isOrig && len == 0 && orig.state == SYN_SENT) {
                        // an ACK of the SYN before the SYN-ACK: not a partial connection
                    } else if (ack && peer.state == ESTABLISHED) {
                        endpoint.setState(ESTABLISHED); // the SYN was missed, the handshake was not
                    } else {
                        endpoint.setState(PARTIAL);
                    }
                }
            }
            case SYN_SENT, SYN_ACK_SENT -> {
                if (fin) {
                    endpoint.setState(CLOSED);
                    doClose = true;
                }
                if (rst) {
                    endpoint.setState(RESET);
                    doClose = true;
                }
            }
            case ESTABLISHED, PARTIAL -> {
                if (syn && endpoint.state == PARTIAL && peer.state == INACTIVE && !ack) {
                    endpoint.setState(SYN_SENT);
                }
                if (fin && !rst) {
                    endpoint.setState(CLOSED);
                    if (peer.state == RESET && peer.prevState == CLOSED) {
                        peer.setState(CLOSED); // the peer's FIN then RST was a normal close
                    }
                    doClose = true;
                }
                if (rst) {
                    endpoint.setState(RESET);
                    doClose = true;
                }
            }
            case CLOSED -> {
                if (rst && peer.state != CLOSED) {
                    endpoint.setState(RESET);
                    if (!endpoint.didClose) {
                        doClose = true;
                    }
                    if (!timersCancelled) {
                        resetFrom = Math.min(resetFrom, ts);
                    }
                }
            }
            default -> { }
        }
        return new boolean[] {doClose};
    }

    private void connectionClosed(TcpEndpoint endpoint, TcpEndpoint peer) {
        if (endpoint.didClose) {
            return;
        }
        endpoint.didClose = true;
        boolean complete = endpoint.state == RESET || peer.didClose || peer.state == INACTIVE;
        if (complete) {
            timersCancelled = true;
            attemptFrom = Long.MAX_VALUE;
            partialCloseFrom = Long.MAX_VALUE;
            closeExpireFrom = Long.MAX_VALUE;
            deleteFrom = lastMicros;
        } else if (endpoint.prevState == INACTIVE) {
            partialCloseFrom = Math.min(partialCloseFrom, lastMicros);
        } else {
            closeExpireFrom = Math.min(closeExpireFrom, lastMicros);
        }
    }

    /** Zeek's reuse rule: this packet opens a new connection on the same addresses and ports. */
    public boolean startsNewConnection(PacketEvent packet) {
        if (protocol != TCP || packet.getTcp() == null) {
            return false;
        }
        int flags = packet.getTcp().getFlags();
        if ((flags & SYN) == 0) {
            return false;
        }
        TcpEndpoint connOrig = orig;
        if ((flags & ACK) != 0) {
            if (orig.state != INACTIVE) {
                return false;
            }
            connOrig = resp;
        }
        if (!orig.didClose && !resp.didClose) {
            long seq = packet.getTcp().getSeq() & 0xffffffffL;
            if (seq == connOrig.startSeq) {
                return false;
            }
            return !((flags & ACK) == 0 && connOrig.state == SYN_ACK_SENT && resp.state == INACTIVE
                    && seq == resp.startSeq);
        }
        return true;
    }

    /** When Zeek would remove this connection, given what it has seen so far. */
    public long expiresAtMicros(ConnectionTimeouts limits) {
        if (protocol == UDP) {
            boolean dns = origPort == 53 || respPort == 53;
            return lastMicros + (dns ? limits.dnsInactivity() : limits.udpInactivity());
        }
        if (protocol != TCP) {
            return lastMicros + limits.icmpInactivity();
        }
        long removal = lastMicros + limits.tcpInactivity();
        if (deleteFrom != Long.MAX_VALUE) {
            removal = Math.min(removal, deleteFrom + limits.closeDelay());
        }
        if (timersCancelled) {
            return removal;
        }
        if (resetFrom != Long.MAX_VALUE) {
            removal = Math.min(removal, resetFrom + limits.resetDelay());
        }
        if (attemptFrom != Long.MAX_VALUE && (orig.state == SYN_SENT || orig.state == SYN_ACK_SENT)
                && resp.state == INACTIVE) {
            removal = Math.min(removal, attemptFrom + limits.attemptDelay());
        }
        if (partialCloseFrom != Long.MAX_VALUE && orig.state != INACTIVE && resp.state != INACTIVE
                && !(orig.didClose && resp.didClose) && orig.state != RESET && resp.state != RESET) {
            removal = Math.min(removal, partialCloseFrom + limits.partialCloseDelay());
        }
        if (expireCondition()) {
            long afterLinger = lastMicros + limits.connectionLinger();
            removal = Math.min(removal, firstTickAfter(startMicros + limits.synTimeout(), limits.sessionTimer(), afterLinger));
            if (closeExpireFrom != Long.MAX_VALUE) {
                removal = Math.min(removal,
                        firstTickAfter(closeExpireFrom + limits.sessionTimer(), limits.sessionTimer(), afterLinger));
            }
        }
        return removal;
    }

    private boolean expireCondition() {
        if (orig.didClose || resp.didClose) {
            if ((orig.didClose && resp.didClose) || orig.state == RESET || resp.state == RESET
                    || orig.state == INACTIVE || resp.state == INACTIVE) {
                return true;
            }
        }
        return resp.state == INACTIVE && orig.state == INACTIVE;
    }

    private static long firstTickAfter(long first, long step, long after) {
        if (first > after) {
            return first;
        }
        long steps = (after - first) / step + 1;
        return first + steps * step;
    }

    /** Zeek's conn_state for this view. */
    public String connState() {
        if (protocol == UDP) {
            boolean os = origPackets > 0;
            boolean rs = respPackets > 0;
            return os ? (rs ? "SF" : "S0") : (rs ? "SHR" : "OTH");
        }
        if (protocol != TCP) {
            return "OTH";
        }
        int os = orig.state;
        int rs = resp.state;
        boolean oInactive = orig.inactive();
        boolean rInactive = resp.inactive();
        if (rs == RESET) {
            if (os == SYN_SENT || os == SYN_ACK_SENT || (os == RESET && orig.size(resp) == 0 && resp.size(orig) == 0)) {
                return "REJ";
            }
            return oInactive ? "RSTRH" : "RSTR";
        }
        if (os == RESET) {
            if (rInactive) {
                return history.toString().matches("\\^?S[^HAFGIQ]*R.*") ? "RSTOS0" : "OTH";
            }
            return "RSTO";
        }
        if (rs == CLOSED && os == CLOSED) {
            return "SF";
        }
        if (os == CLOSED) {
            return rInactive ? "SH" : "S2";
        }
        if (rs == CLOSED) {
            return oInactive ? "SHR" : "S3";
        }
        if (os == SYN_SENT && rs == INACTIVE) {
            return "S0";
        }
        if (os == ESTABLISHED && rs == ESTABLISHED) {
            return "S1";
        }
        return "OTH";
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
        return protocol == TCP ? orig.size(resp) : origPayload;
    }

    public long responderBytes() {
        return protocol == TCP ? resp.size(orig) : respPayload;
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

    /** When the originator's first SYN was seen; 0 when none was. */
    public long firstSynMicros() {
        return orig.firstSynMicros;
    }

    /** When the originator's last SYN was seen; 0 when none was. */
    public long lastSynMicros() {
        return orig.lastSynMicros;
    }

    /** A SYN-ACK was seen (from either side: an unanswered SYN-ACK may come from the nominal originator). */
    public boolean sawSynAck() {
        return orig.firstSynAckMicros != Long.MIN_VALUE || resp.firstSynAckMicros != Long.MIN_VALUE;
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
        return orig.synCount > 0 && orig.firstSynTsVal >= 0 ? orig.firstSynTsVal : null;
    }

    /** The responder answered the originator's SYN here: with a SYN-ACK or a RST. */
    public boolean synAnswered() {
        return orig.synCount > 0 && (resp.firstSynAckMicros != Long.MIN_VALUE || resp.sentRst);
    }

    /** The originator's first SYN to the responder's first SYN-ACK, as seen here; null when either is missing. */
    public Long handshakeRttMicros() {
        long synAck = resp.firstSynAckMicros;
        return orig.synCount > 0 && synAck != Long.MIN_VALUE && synAck >= orig.firstSynMicros
                ? synAck - orig.firstSynMicros : null;
    }

    /**
     * What one side sent, as this vantage saw it (for the detectors that compare vantages).
     *
     * @param packets                packets seen from it
     * @param lastMicros             its last packet ({@code Long.MIN_VALUE}: none)
     * @param firstRstMicros         its first RST ({@code Long.MIN_VALUE}: none)
     * @param firstFinMicros         its first FIN ({@code Long.MIN_VALUE}: none)
     * @param probeRun               keep-alive probes (seq = next - 1, 0 or 1 byte) since the peer last sent anything
     * @param provenUnansweredProbes the most probes of an earlier run that the peer left unanswered
     * @param retransmissions        retransmitted segments
     */
    public record Sent(long packets, long lastMicros, long firstRstMicros, long firstFinMicros, int probeRun,
                       long probeRunFirstMicros, long probeRunLastMicros, int provenUnansweredProbes,
                       long retransmissions) {
        public boolean reset() {
            return firstRstMicros != Long.MIN_VALUE;
        }

        public boolean closed() {
            return firstFinMicros != Long.MIN_VALUE;
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
        return orig.synCount > 0 && resp.firstSynAckMicros != Long.MIN_VALUE && !orig.sentOnlySyns;
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
        return deleteFrom != Long.MAX_VALUE;
    }
}
