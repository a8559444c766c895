package dev.wirewatch.processor.flow;

import static dev.wirewatch.processor.flow.TcpEndpoint.CLOSED;
import static dev.wirewatch.processor.flow.TcpEndpoint.ESTABLISHED;
import static dev.wirewatch.processor.flow.TcpEndpoint.INACTIVE;
import static dev.wirewatch.processor.flow.TcpEndpoint.PARTIAL;
import static dev.wirewatch.processor.flow.TcpEndpoint.RESET;
import static dev.wirewatch.processor.flow.TcpEndpoint.SYN_ACK_SENT;
import static dev.wirewatch.processor.flow.TcpEndpoint.SYN_SENT;

import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.TcpHeader;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.CommunityId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Set;

/**
 * One vantage's view of one connection, classified as Zeek classifies it, so flow records read like a conn.log
 * and compare one to one with Zeek's baselines. The TCP state machine follows Zeek's TCP analyzer (endpoint
 * states INACTIVE, SYN_SENT, SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED, RESET; its connection-reuse rules and
 * removal timers); the vocabulary is Zeek's:
 * <ul>
 *   <li>conn_state: S0 SYN, no reply; S1 established; SF normal close; REJ SYN answered by RST; S2/S3 close by
 *       originator/responder only; RSTO/RSTR established then reset by originator/responder; RSTOS0 originator
 *       SYN then RST; RSTRH responder SYN-ACK then RST, no SYN seen; SH/SHR SYN or SYN-ACK then FIN, no reply;
 *       OTH midstream.</li>
 *   <li>history: S SYN, H SYN-ACK, A pure ACK, D data, F FIN, R RST, T retransmission, G gap (the peer
 *       acknowledged sequence space this vantage never saw: capture loss; unlike Zeek, payload cut off by the
 *       sensor's small snaplen is not a gap, since a headers-only sensor never captures payload), W zero
 *       window, Q multi-flag, I FIN+RST; upper case originator, lower case responder; T, G and W are added at
 *       1, 10, 100, ... occurrences; a leading ^ means the roles were flipped (the first packet came from the
 *       responder).</li>
 * </ul>
 * Besides Zeek's view it keeps what the detectors ask: SYN attempts and their times, whether an answer came.
 */
public final class ConnectionView {
    private static final byte VERSION = 1;
    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final int FIN = 0x01;
    private static final int SYN = 0x02;
    private static final int RST = 0x04;
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

    /** Ports of well-known services: a first packet from one of them is from the responder (Zeek's heuristic). */
    private static final Set<Integer> LIKELY_SERVER_PORTS = Set.of(20, 21, 22, 23, 25, 53, 67, 69, 80, 88, 110, 111,
            123, 135, 137, 138, 139, 143, 161, 389, 443, 445, 465, 502, 514, 587, 636, 993, 995, 1080, 1433, 1521,
            1812, 1883, 2049, 3306, 3389, 3544, 5060, 5061, 5222, 5432, 5672, 6379, 6667, 8080, 8443, 9092, 27017);

    private int protocol;
    private byte[] origAddress;
    private byte[] respAddress;
    private int origPort;
    private int respPort;
    private TcpEndpoint orig = new TcpEndpoint();
    private TcpEndpoint resp = new TcpEndpoint();
    private StringBuilder history = new StringBuilder();
    private int historySeen;
    private long startMicros;
    private long lastMicros;
    private long lastPacketMicros;
    private long origPackets;
    private long respPackets;
    private long origPayload;
    private long respPayload;
    // Zeek's removal timers, as the time they were set (Long.MAX_VALUE: not set); their delays apply on reading.
    private long attemptFrom = Long.MAX_VALUE;
    private long partialCloseFrom = Long.MAX_VALUE;
    private long closeExpireFrom = Long.MAX_VALUE;
    private long deleteFrom = Long.MAX_VALUE;
    private boolean timersCancelled;
    // What the detectors ask.
    private int synCount;
    private long firstSynMicros;
    private long lastSynMicros;
    private long firstSynAckMicros = Long.MIN_VALUE;
    private boolean rstFromResponder;
    private boolean originatorSentOnlySyns = true;

    private ConnectionView() {}

    /** A new connection whose first packet is {@code first}; the roles follow Zeek's orientation rules. */
    public static ConnectionView start(PacketEvent first) {
        ConnectionView view = new ConnectionView();
        view.protocol = first.getProtocol();
        byte[] src = Addresses.bytes(first.getSrc());
        byte[] dst = Addresses.bytes(first.getDst());
        boolean flip = flipRoles(first);
        view.origAddress = flip ? dst : src;
        view.respAddress = flip ? src : dst;
        view.origPort = flip ? first.getDstPort() : first.getSrcPort();
        view.respPort = flip ? first.getSrcPort() : first.getDstPort();
        if (flip) {
            view.history.append('^');
        }
        view.startMicros = first.getTsMicros();
        view.lastMicros = first.getTsMicros();
        view.observe(first);
        return view;
    }

    private static boolean flipRoles(PacketEvent first) {
        int srcPort = first.getSrcPort();
        int dstPort = first.getDstPort();
        boolean srcLikely = LIKELY_SERVER_PORTS.contains(srcPort);
        boolean dstLikely = LIKELY_SERVER_PORTS.contains(dstPort);
        if (first.getProtocol() == TCP && first.getTcp() != null) {
            int flags = first.getTcp().getFlags();
            boolean syn = (flags & SYN) != 0;
            boolean ack = (flags & ACK) != 0;
            if (syn && ack) {
                return true; // a SYN-ACK comes from the responder
            }
            if (!syn) {
                return srcLikely && (!dstLikely || srcPort < dstPort);
            }
            return false;
        }
        if (first.getProtocol() == UDP) {
            return srcLikely && !dstLikely;
        }
        return false;
    }

    private boolean fromOriginator(PacketEvent packet) {
        return packet.getSrcPort() == origPort && Arrays.equals(Addresses.bytes(packet.getSrc()), origAddress)
                && (packet.getDstPort() != origPort || !Arrays.equals(origAddress, respAddress)
                        || !Arrays.equals(Addresses.bytes(packet.getDst()), respAddress));
    }

    public void observe(PacketEvent packet) {
        boolean isOrig = fromOriginator(packet);
        long ts = packet.getTsMicros();
        lastPacketMicros = Math.max(lastPacketMicros, ts);
        if (isOrig) {
            origPackets++;
        } else {
            respPackets++;
        }
        if (protocol == TCP && packet.getTcp() != null) {
            observeTcp(packet.getTcp(), isOrig, ts);
        } else {
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

    private void observeTcp(TcpHeader tcp, boolean isOrig, long ts) {
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

        noteForDetectors(isOrig, syn, ack, rst, ts);

        int segmentLength = len + (syn ? 1 : 0) + (fin ? 1 : 0) - (rst ? len : 0);
        long onePast = baseSeq + segmentLength;
        initEndpoint(endpoint, syn, baseSeq, onePast);
        long relSeq = endpoint.relative(baseSeq);
        updateHistory(isOrig, endpoint, syn, fin, rst, ack, relSeq, len);
        if (tcp.getWindow() == 0 && !rst && peer.state != CLOSED && endpoint.state != RESET) {
            scaled(isOrig, 'W', endpoint, TcpEndpoint.ZERO_WINDOW);
        }
        if (!orig.didClose || !resp.didClose) {
            lastMicros = Math.max(lastMicros, ts);
        }
        if (fin) {
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
        int deltaLast = updateLastSeq(isOrig, endpoint, onePast, syn, fin, rst, len);
        endpoint.dataEndRel = Math.max(endpoint.dataEndRel, relSeq + segmentLength);
        boolean close = updateStateMachine(endpoint, peer, baseSeq, len, deltaLast, isOrig, syn, fin, rst, ack, ts);
        if (ack && !fin && !rst) {
            contentGap(!isOrig, peer, relAck);
        }
        if (close) {
            connectionClosed(endpoint, peer);
        }
    }

    private void noteForDetectors(boolean isOrig, boolean syn, boolean ack, boolean rst, long ts) {
        if (isOrig) {
            if (syn && !ack) {
                if (synCount == 0) {
                    firstSynMicros = ts;
                }
                synCount++;
                lastSynMicros = ts;
            } else {
                originatorSentOnlySyns = false;
            }
        } else {
            if (syn && ack && firstSynAckMicros == Long.MIN_VALUE) {
                firstSynAckMicros = ts;
            }
            rstFromResponder |= rst;
        }
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

    private void updateHistory(boolean isOrig, TcpEndpoint endpoint, boolean syn, boolean fin, boolean rst, boolean ack,
                               long relSeq, int len) {
        int bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
        if (bits > 1) {
            if (fin && rst) {
                checkHistory(isOrig, HIST_FIN_RST, 'I');
            } else {
                checkHistory(isOrig, HIST_MULTI_FLAG, 'Q');
            }
        } else if (bits == 1) {
            if (syn) {
                char code = ack ? 'H' : 'S';
                if (checkHistory(isOrig, HIST_SYN, code) && relSeq != endpoint.histLastSyn) {
                    addHistory(isOrig, code);
                }
                endpoint.histLastSyn = relSeq;
            }
            if (fin) {
                if (checkHistory(isOrig, HIST_FIN, 'F') && relSeq + len != endpoint.histLastFin) {
                    addHistory(isOrig, 'F');
                }
                endpoint.histLastFin = relSeq + len;
            }
            if (rst) {
                if (checkHistory(isOrig, HIST_RST, 'R') && relSeq != endpoint.histLastRst) {
                    addHistory(isOrig, 'R');
                }
                endpoint.histLastRst = relSeq;
            }
        } else if (len > 0) {
            checkHistory(isOrig, HIST_DATA, 'D');
        } else if (ack) {
            checkHistory(isOrig, HIST_ACK, 'A');
        }
    }

    /** Adds the letter the first time; returns true when it had been seen before (Zeek's CheckHistory). */
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

    /** T, G and W appear at 1, 10, 100, ... occurrences. */
    private void scaled(boolean isOrig, char code, TcpEndpoint endpoint, int kind) {
        if (endpoint.countScaled(kind)) {
            addHistory(isOrig, code);
        }
    }

    private int updateLastSeq(boolean isOrig, TcpEndpoint endpoint, long lastSeq, boolean syn, boolean fin, boolean rst,
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
            scaled(isOrig, 'T', endpoint, TcpEndpoint.RETRANSMISSION);
        }
        return deltaLast;
    }

    /** An ACK for bytes this vantage never saw the peer send: the capture has a gap (G / g). */
    private void contentGap(boolean peerIsOrig, TcpEndpoint peer, long relAck) {
        long acked = relAck;
        if (peer.finCount > 0 && acked >= peer.finSeqRel) {
            acked = peer.finSeqRel - 1;
        }
        if (peer.state != INACTIVE && acked > peer.dataEndRel && peer.dataEndRel > 0) {
            scaled(peerIsOrig, 'G', peer, TcpEndpoint.GAP);
            peer.dataEndRel = acked;
        }
    }

    /** Zeek's UpdateStateMachine; true when the packet closed or reset this side. */
    private boolean updateStateMachine(TcpEndpoint endpoint, TcpEndpoint peer, long baseSeq, int len, int deltaLast,
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
                            peer.setState(ESTABLISHED); // SYN / SYN-ACK seen in reverse order
                        }
                        if (peer.state == SYN_SENT) {
                            peer.setState(ESTABLISHED);
                        }
                        endpoint.setState(ESTABLISHED);
                    }
                }
                doClose = closeOrReset(endpoint, fin, rst);
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
            case SYN_SENT, SYN_ACK_SENT -> doClose = closeOrReset(endpoint, fin, rst);
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
                }
            }
            default -> { }
        }
        return doClose;
    }

    /** A FIN closes, a RST resets (both: reset); true when either happened. */
    private static boolean closeOrReset(TcpEndpoint endpoint, boolean fin, boolean rst) {
        if (fin) {
            endpoint.setState(CLOSED);
        }
        if (rst) {
            endpoint.setState(RESET);
        }
        return fin || rst;
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
        return synCount;
    }

    public long firstSynMicros() {
        return firstSynMicros;
    }

    public long lastSynMicros() {
        return lastSynMicros;
    }

    public boolean sawSynAck() {
        return firstSynAckMicros != Long.MIN_VALUE;
    }

    public boolean sawRstFromResponder() {
        return rstFromResponder;
    }

    /** Everything the originator sent so far was a SYN without ACK: it has not had an answer it acted on. */
    public boolean originatorSentOnlySyns() {
        return originatorSentOnlySyns && synCount > 0;
    }

    /** SYN to first SYN-ACK as seen here; null when either is missing. */
    public Long handshakeRttMicros() {
        return synCount > 0 && sawSynAck() && firstSynAckMicros >= firstSynMicros ? firstSynAckMicros - firstSynMicros : null;
    }

    public byte[] toBytes() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(VERSION);
            out.writeByte(protocol);
            out.writeByte(origAddress.length);
            out.write(origAddress);
            out.write(respAddress);
            out.writeShort(origPort);
            out.writeShort(respPort);
            orig.write(out);
            resp.write(out);
            out.writeUTF(history.toString());
            out.writeInt(historySeen);
            for (long value : new long[] {startMicros, lastMicros, lastPacketMicros, origPackets, respPackets, origPayload,
                    respPayload, attemptFrom, partialCloseFrom, closeExpireFrom, deleteFrom, firstSynMicros, lastSynMicros,
                    firstSynAckMicros}) {
                out.writeLong(value);
            }
            out.writeBoolean(timersCancelled);
            out.writeInt(synCount);
            out.writeBoolean(rstFromResponder);
            out.writeBoolean(originatorSentOnlySyns);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ConnectionView fromBytes(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            if (in.readByte() != VERSION) {
                throw new IllegalStateException("unsupported connection view version");
            }
            ConnectionView view = new ConnectionView();
            view.protocol = in.readUnsignedByte();
            int length = in.readUnsignedByte();
            view.origAddress = in.readNBytes(length);
            view.respAddress = in.readNBytes(length);
            view.origPort = in.readUnsignedShort();
            view.respPort = in.readUnsignedShort();
            view.orig = TcpEndpoint.read(in);
            view.resp = TcpEndpoint.read(in);
            view.history = new StringBuilder(in.readUTF());
            view.historySeen = in.readInt();
            view.startMicros = in.readLong();
            view.lastMicros = in.readLong();
            view.lastPacketMicros = in.readLong();
            view.origPackets = in.readLong();
            view.respPackets = in.readLong();
            view.origPayload = in.readLong();
            view.respPayload = in.readLong();
            view.attemptFrom = in.readLong();
            view.partialCloseFrom = in.readLong();
            view.closeExpireFrom = in.readLong();
            view.deleteFrom = in.readLong();
            view.firstSynMicros = in.readLong();
            view.lastSynMicros = in.readLong();
            view.firstSynAckMicros = in.readLong();
            view.timersCancelled = in.readBoolean();
            view.synCount = in.readInt();
            view.rstFromResponder = in.readBoolean();
            view.originatorSentOnlySyns = in.readBoolean();
            return view;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
