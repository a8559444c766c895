package dev.wirewatch.processor.flow;

import static dev.wirewatch.processor.flow.EndpointState.CLOSED;
import static dev.wirewatch.processor.flow.EndpointState.ESTABLISHED;
import static dev.wirewatch.processor.flow.EndpointState.INACTIVE;
import static dev.wirewatch.processor.flow.EndpointState.RESET;
import static dev.wirewatch.processor.flow.EndpointState.SYN_ACK_SENT;
import static dev.wirewatch.schemas.TcpFlags.ACK;
import static dev.wirewatch.schemas.TcpFlags.SYN;

import dev.wirewatch.record.DirectionActivity;
import dev.wirewatch.record.TcpHeader;
import dev.wirewatch.schemas.tcp.TcpRules;

/**
 * Zeek's TCP analyzer applied to a {@link ConnectionView}: per packet, the sequence space of each side, the
 * history letters, the state machine ({@link TcpStateMachine}) and what the detectors ask of each side; per sensor
 * summary, only what steady traffic moves.
 */
final class TcpAnalyzer {
    private TcpAnalyzer() {}

    /**
     * One packet. {@code isOrig} is the direction when the packet arrived; it stays so while the packet is
     * processed even if the roles flip meanwhile, as in Zeek. Returns the sending endpoint.
     */
    static TcpEndpoint observe(ConnectionView view, TcpHeader tcp, boolean isOrig, long ts) {
        TcpSegment segment = TcpSegment.of(tcp);
        boolean syn = segment.syn();
        boolean fin = segment.fin();
        boolean rst = segment.rst();
        boolean ack = segment.ack();
        long baseSeq = segment.seq();
        int len = segment.length();
        TcpEndpoint endpoint = isOrig ? view.orig : view.resp;
        TcpEndpoint peer = isOrig ? view.resp : view.orig;

        boolean keepAliveProbe = !syn && !fin && !rst && endpoint.state == ESTABLISHED && peer.state == ESTABLISHED
                && TcpRules.isKeepAliveProbe(baseSeq, len, endpoint.nextSeq());
        if (syn && !ack && endpoint.synCount == 0 && segment.tsVal() != null) {
            endpoint.firstSynTsVal = segment.tsVal();
        }
        endpoint.noteSent(syn, ack, rst, ts);
        peer.peerAnswered();
        if (keepAliveProbe) {
            endpoint.noteKeepAliveProbe(ts);
        }

        int segmentLength = TcpRules.segmentLength(segment.flags(), len);
        long onePast = baseSeq + segmentLength;
        initSequence(endpoint, syn, baseSeq, onePast);
        long relSeq = endpoint.relative(baseSeq);
        updateHistory(view, endpoint, segment, relSeq);
        if (segment.window() == 0 && !rst && peer.state != CLOSED && endpoint.state != RESET) {
            scaled(view, 'W', endpoint, TcpEndpoint.ZERO_WINDOW);
        }
        if (!view.orig.didClose || !view.resp.didClose) {
            view.lastMicros = Math.max(view.lastMicros, ts);
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
            long ackSeq = segment.ackSeq();
            if (peer.state == INACTIVE) {
                relAck = 1;
                peer.initSequence(ackSeq - 1, ackSeq - 1);
            } else {
                relAck = peer.relative(ackSeq);
                if (relAck >= 0 && !rst) {
                    advanceAck(peer, ackSeq);
                }
            }
        }
        updateLastSeq(view, endpoint, onePast, segment);
        endpoint.dataEndRel = Math.max(endpoint.dataEndRel, relSeq + segmentLength);
        boolean closed = TcpStateMachine.update(view, endpoint, peer, segment, isOrig, ts);
        if (ack && !fin && !rst) {
            contentGap(view, peer, relAck);
        }
        if (closed) {
            TcpStateMachine.closed(view, endpoint, peer);
        }
        return endpoint;
    }

    /** Where a side's sequence space starts: its SYN, or for a side first seen mid-stream as though one was seen. */
    private static void initSequence(TcpEndpoint endpoint, boolean syn, long firstSeq, long last) {
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
            case CLOSED -> { }
        }
    }

    /** Zeek's update_history: the letter for this packet, if it is new. */
    private static void updateHistory(ConnectionView view, TcpEndpoint endpoint, TcpSegment segment, long relSeq) {
        boolean syn = segment.syn();
        boolean fin = segment.fin();
        boolean rst = segment.rst();
        int bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
        if (bits > 1) {
            if (fin && rst) {
                checkHistory(view, endpoint, ConnectionHistory.FIN_RST, 'I');
            } else {
                checkHistory(view, endpoint, ConnectionHistory.MULTI_FLAG, 'Q');
            }
        } else if (bits == 1) {
            if (syn) {
                char code = segment.ack() ? 'H' : 'S';
                if (checkHistory(view, endpoint, ConnectionHistory.SYN, code) && relSeq != endpoint.histLastSyn) {
                    view.history.add(endpoint == view.orig, code);
                }
                endpoint.histLastSyn = relSeq;
            }
            if (fin) {
                long finSeq = relSeq + segment.length();
                if (checkHistory(view, endpoint, ConnectionHistory.FIN, 'F') && finSeq != endpoint.histLastFin) {
                    view.history.add(endpoint == view.orig, 'F');
                }
                endpoint.histLastFin = finSeq;
            }
            if (rst) {
                if (checkHistory(view, endpoint, ConnectionHistory.RST, 'R') && relSeq != endpoint.histLastRst) {
                    view.history.add(endpoint == view.orig, 'R');
                }
                endpoint.histLastRst = relSeq;
            }
        } else if (segment.length() > 0) {
            checkHistory(view, endpoint, ConnectionHistory.DATA, 'D');
        } else if (segment.ack()) {
            checkHistory(view, endpoint, ConnectionHistory.ACK, 'A');
        }
    }

    /**
     * Zeek's TCP_Endpoint::CheckHistory. A connection that began with a SYN-ACK was not flipped (it may be a stealth
     * scan, whose SYN-ACK sender is the originator); the first pure ACK or data after it makes that unlikely, so
     * the roles flip then and the history becomes {@code ^h}, as though the missing SYN had been seen.
     */
    private static boolean checkHistory(ConnectionView view, TcpEndpoint endpoint, int mask, char code) {
        if ((code == 'A' || code == 'D') && view.history.onlySynAck()) {
            Orientation.flipRoles(view);
            view.history.restartAsResponderSynAck();
        }
        return view.history.check(endpoint == view.orig, mask, code);
    }

    /** T, G and W appear at the 1st, 10th, 100th, ... occurrence on each side. */
    private static void scaled(ConnectionView view, char code, TcpEndpoint endpoint, int kind) {
        if (endpoint.countScaled(kind)) {
            view.history.add(endpoint == view.orig, code);
        }
    }

    /** The highest sequence the side sent moves on, except for an untrusted jump or after its RST; else T. */
    private static void updateLastSeq(ConnectionView view, TcpEndpoint endpoint, long onePast, TcpSegment segment) {
        int deltaLast = TcpRules.delta(onePast, endpoint.nextSeq());
        if (TcpRules.untrustedJump(segment.flags(), deltaLast)) {
            return;
        }
        if (segment.fin() && endpoint.lastRel == 1) {
            endpoint.lastRel += deltaLast;
        } else if (endpoint.state == RESET) {
            return; // nothing after a RST is trusted
        } else if (deltaLast > 0) {
            endpoint.lastRel += deltaLast;
        } else if (TcpRules.isRetransmission(deltaLast, segment.length())) {
            scaled(view, 'T', endpoint, TcpEndpoint.RETRANSMISSION);
        }
    }

    /** An ACK for bytes this vantage never saw the peer send: the capture has a gap (G / g). */
    private static void contentGap(ConnectionView view, TcpEndpoint peer, long relAck) {
        long acked = relAck;
        if (peer.finCount > 0 && acked >= peer.finSeqRel) {
            acked = peer.finSeqRel - 1;
        }
        if (peer.state != INACTIVE && acked > peer.dataEndRel && peer.dataEndRel > 0) {
            scaled(view, 'G', peer, TcpEndpoint.GAP);
            peer.dataEndRel = acked;
        }
    }

    /**
     * A sensor's summary of what one side sent: packets that changed no state, so only counters, times, the
     * highest sequence and the scaled letters move.
     */
    static void applySent(ConnectionView view, DirectionActivity sent, boolean isOrig, long ts) {
        TcpEndpoint endpoint = isOrig ? view.orig : view.resp;
        endpoint.sentOnlySyns = false;
        endpoint.packetsSent += sent.getPackets();
        endpoint.lastSentMicros = Math.max(endpoint.lastSentMicros, ts);
        (isOrig ? view.resp : view.orig).peerAnswered();
        if (!view.orig.didClose || !view.resp.didClose) {
            view.lastMicros = Math.max(view.lastMicros, ts);
        }
        if (sent.getDataPackets() > 0) {
            checkHistory(view, endpoint, ConnectionHistory.DATA, 'D');
        }
        if (sent.getDataPackets() < sent.getPackets()) {
            checkHistory(view, endpoint, ConnectionHistory.ACK, 'A');
        }
        Long seqEnd = sent.getHighestSeqEnd();
        if (seqEnd != null && endpoint.state != RESET) {
            int deltaLast = TcpRules.delta(seqEnd, endpoint.nextSeq());
            if (deltaLast > 0) {
                endpoint.lastRel += deltaLast;
            }
            endpoint.dataEndRel = Math.max(endpoint.dataEndRel, endpoint.relative(seqEnd));
        }
        for (long i = 0; endpoint.state != RESET && i < sent.getRetransmissions(); i++) {
            scaled(view, 'T', endpoint, TcpEndpoint.RETRANSMISSION); // as per packet: nothing after a RST is trusted
        }
    }

    /** A summary's highest acknowledgement of the peer's sequence space; after both sides' sequences are applied. */
    static void applyAcknowledgement(ConnectionView view, DirectionActivity sent, TcpEndpoint peer) {
        Long ackSeq = sent.getHighestAck();
        if (sent.getPackets() == 0 || ackSeq == null || peer.state == INACTIVE) {
            return;
        }
        long relAck = peer.relative(ackSeq);
        if (relAck >= 0) {
            advanceAck(peer, ackSeq);
        }
        contentGap(view, peer, relAck);
    }

    /** The highest acknowledgement of the peer's sequence space moves to {@code ackSeq} if that advances it. */
    private static void advanceAck(TcpEndpoint peer, long ackSeq) {
        int advance = TcpRules.delta(ackSeq, peer.startSeq + peer.ackRel);
        if (TcpRules.ackAdvances(ackSeq, advance)) {
            peer.ackRel += advance;
        }
    }

    /**
     * Zeek's {@code IsReuse}: a SYN (or a SYN-ACK where the originator never spoke) with a new initial sequence
     * number, or any SYN after a side closed, opens a new connection on the same addresses and ports.
     */
    static boolean isReuse(ConnectionView view, TcpHeader tcp) {
        int flags = tcp.getFlags();
        if ((flags & SYN) == 0) {
            return false;
        }
        TcpEndpoint connOrig = view.orig;
        if ((flags & ACK) != 0) {
            if (view.orig.state != INACTIVE) {
                return false;
            }
            connOrig = view.resp;
        }
        if (!view.orig.didClose && !view.resp.didClose) {
            long seq = tcp.getSeq() & 0xffffffffL;
            if (seq == connOrig.startSeq) {
                return false;
            }
            return !((flags & ACK) == 0 && connOrig.state == SYN_ACK_SENT && view.resp.state == INACTIVE
                    && seq == view.resp.startSeq);
        }
        return true;
    }
}
