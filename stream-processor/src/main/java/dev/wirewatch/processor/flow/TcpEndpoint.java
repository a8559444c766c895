package dev.wirewatch.processor.flow;

import static dev.wirewatch.processor.flow.Absent.NONE;
import static dev.wirewatch.processor.flow.EndpointState.INACTIVE;
import static dev.wirewatch.processor.flow.EndpointState.RESET;
import static dev.wirewatch.processor.flow.EndpointState.SYN_SENT;

import dev.wirewatch.schemas.tcp.TcpRules;

/**
 * One side of a TCP connection as Zeek's TCP analyzer tracks it: its state, sequence space (start, highest
 * sequence sent, highest acknowledged by the peer, relative to the start so long connections do not wrap), and
 * the counters behind the history letters. Absent times and values are {@link Absent#NONE}.
 */
final class TcpEndpoint {
    EndpointState state = INACTIVE;
    EndpointState prevState = INACTIVE;
    long startSeq;
    long lastRel;
    long ackRel;
    long dataEndRel;
    long finSeqRel;
    int finCount;
    int rstCount;
    boolean didClose;
    long histLastSyn = NONE;
    long histLastFin = NONE;
    long histLastRst = NONE;
    /** Occurrences of the letters added on a log scale (T, G, W), and when each is next added. */
    static final int RETRANSMISSION = 0;
    static final int GAP = 1;
    static final int ZERO_WINDOW = 2;
    final long[] scaledCount = new long[3];
    final long[] scaledThreshold = {1, 1, 1};
    // What this side sent, for the detectors (not part of Zeek's state).
    int synCount;
    long firstSynMicros = NONE;
    long lastSynMicros = NONE;
    long firstSynTsVal = NONE;
    long firstSynAckMicros = NONE;
    boolean sentRst;
    boolean sentOnlySyns = true;
    long packetsSent;
    long lastSentMicros = NONE;
    long firstRstMicros = NONE;
    long firstFinMicros = NONE;
    // Keep-alive probes (seq = next - 1, 0 or 1 byte): the current run with nothing from the peer since its first
    // probe, and the most probes of an earlier run that went unanswered (all but its last, which the peer answered).
    int probeRun;
    long probeRunFirstMicros = NONE;
    long probeRunLastMicros = NONE;
    int provenUnansweredProbes;

    /** Notes a packet this side sent: its SYNs (without ACK), first SYN-ACK, RSTs, and whether it sent anything else. */
    void noteSent(boolean syn, boolean ack, boolean rst, long tsMicros) {
        if (syn && !ack) {
            if (synCount == 0) {
                firstSynMicros = tsMicros;
            }
            synCount++;
            lastSynMicros = tsMicros;
        } else {
            sentOnlySyns = false;
        }
        if (syn && ack && firstSynAckMicros == NONE) {
            firstSynAckMicros = tsMicros;
        }
        sentRst |= rst;
        packetsSent++;
        lastSentMicros = Math.max(lastSentMicros, tsMicros);
        if (rst && firstRstMicros == NONE) {
            firstRstMicros = tsMicros;
        }
    }

    void noteFin(long tsMicros) {
        if (firstFinMicros == NONE) {
            firstFinMicros = tsMicros;
        }
    }

    /** A keep-alive probe this side sent; counts towards the current run of unanswered ones. */
    void noteKeepAliveProbe(long tsMicros) {
        if (probeRun++ == 0) {
            probeRunFirstMicros = tsMicros;
        }
        probeRunLastMicros = tsMicros;
    }

    /** The peer sent something: the run of probes ends, its last probe answered. */
    void peerAnswered() {
        if (probeRun > 0) {
            provenUnansweredProbes = Math.max(provenUnansweredProbes, probeRun - 1);
            probeRun = 0;
        }
    }

    /** What this side sent, as this vantage saw it. */
    ConnectionView.Sent sent() {
        return new ConnectionView.Sent(packetsSent, lastSentMicros, firstRstMicros, firstFinMicros, probeRun,
                probeRunFirstMicros, probeRunLastMicros, provenUnansweredProbes, scaledCount[RETRANSMISSION]);
    }

    /** Counts one occurrence; true at the 1st, 10th, 100th, ... (Zeek's ScaledHistoryEntry). */
    boolean countScaled(int kind) {
        if (++scaledCount[kind] == scaledThreshold[kind]) {
            scaledThreshold[kind] *= 10;
            return true;
        }
        return false;
    }

    void setState(EndpointState next) {
        prevState = state;
        state = next;
    }

    /** Starts the sequence space at {@code start} with the highest sequence sent at {@code last}. */
    void initSequence(long start, long last) {
        startSeq = start & 0xffffffffL;
        lastRel = TcpRules.delta(last, startSeq);
        ackRel = 0;
        dataEndRel = lastRel;
    }

    long relative(long seq) {
        return TcpRules.delta(seq, startSeq);
    }

    /** Zeek's Size(): sequence space used, without the SYN and FIN octets. */
    long size(TcpEndpoint peer) {
        if (prevState == SYN_SENT && state == RESET && peer.state == INACTIVE && ackRel > 1) {
            return 0;
        }
        long size = Math.max(lastRel, ackRel);
        if (size > 0) {
            size--;
        }
        if (finCount > 0 && size > 0) {
            size--;
        }
        return Math.max(size, 0);
    }

    /** The sequence number after the highest this side sent. */
    long nextSeq() {
        return startSeq + lastRel;
    }
}
