package dev.wirewatch.processor.flow;

import static dev.wirewatch.processor.flow.Absent.NEVER;
import static dev.wirewatch.processor.flow.Absent.NONE;

import java.util.Arrays;

/**
 * A {@link ConnectionView} and its two {@link TcpEndpoint}s in {@link FlowStateCodec}'s layout: a bitmap of the
 * fields that differ from their start value, then those fields. Times near the start (SYNs, the SYN-ACK, Zeek's
 * attempt timer) are deltas from the view's start, times near the end (last packets, FINs, RSTs, probes, Zeek's
 * other timers) from its last packet, and the view's start from the previous view's. Sequence numbers other than
 * the start are relative already; those that follow the highest sequence sent are deltas from it. Absent values
 * are stored as the versions before {@link Absent} kept them in memory: a SYN's times and the keep-alive run's as 0,
 * the SYN's TSval as -1 ({@link #legacy}), so the bytes are the same.
 */
final class ViewCodec {
    // Which view fields are stored.
    private static final int SAME_ENDS_AS_PREVIOUS = 1;
    private static final int SWAPPED_ENDS_OF_PREVIOUS = 1 << 1;
    private static final int IPV6 = 1 << 2;
    private static final int OTHER_ADDRESS_LENGTHS = 1 << 3;
    private static final int SHARED_PREFIX = 1 << 4;
    private static final int WIDE_PORTS = 1 << 5;
    private static final int LAST_MICROS_APART = 1 << 6;
    private static final int HISTORY_SEEN_UNPACKED = 1 << 7;
    private static final int ORIG_PAYLOAD = 1 << 8;
    private static final int RESP_PAYLOAD = 1 << 9;
    private static final int TIMERS_CANCELLED = 1 << 10;
    /** Zeek's five removal timers, one bit each from here, in the order of {@link #timers}. */
    private static final int FIRST_TIMER = 11;

    // Which endpoint fields are stored; bits 0-5 hold the state and the previous state. The first eight are what an
    // established connection has, so its bitmap takes two bytes.
    private static final int SEQUENCE = 1 << 6;
    private static final int SENT = 1 << 7;
    private static final int NOT_ONLY_SYNS = 1 << 8;
    private static final int SYNS = 1 << 9;
    private static final int HIST_LAST_SYN = 1 << 10;
    private static final int FIRST_SYN_ACK = 1 << 11;
    private static final int DID_CLOSE = 1 << 12;
    private static final int SENT_RST = 1 << 13;
    private static final int FIN_COUNT = 1 << 14;
    private static final int FIN_SEQ = 1 << 15;
    private static final int HIST_LAST_FIN = 1 << 16;
    private static final int FIRST_FIN = 1 << 17;
    private static final int RST_COUNT = 1 << 18;
    private static final int HIST_LAST_RST = 1 << 19;
    private static final int FIRST_RST = 1 << 20;
    private static final int SCALED = 1 << 21;
    private static final int PROBES = 1 << 22;
    private static final int PROVEN_UNANSWERED = 1 << 23;
    private static final int WIDE_START_SEQ = 1 << 24;

    /** historySeen's letters: 7 bits for the originator, the same 16 bits higher for the responder. */
    private static final int HISTORY_SEEN_BITS = 0x007f007f;

    private ViewCodec() {}

    static void write(VarintWriter out, ConnectionView view, ConnectionView previous) {
        long start = view.startMicros;
        long last = view.lastPacketMicros;
        long[] timers = timers(view);
        int seen = view.history.seen;
        int lengths = view.origAddress.length == view.respAddress.length ? view.origAddress.length : -1;
        int mismatch = Arrays.mismatch(view.origAddress, view.respAddress);
        int shared = lengths < 0 ? 0 : mismatch < 0 ? lengths : mismatch;
        int flags = endsFlag(view, previous)
                | (lengths == 16 ? IPV6 : 0)
                | (lengths != 4 && lengths != 16 ? OTHER_ADDRESS_LENGTHS : 0)
                | (shared >= 2 ? SHARED_PREFIX : 0)
                | (view.origPort >>> 16 != 0 || view.respPort >>> 16 != 0 ? WIDE_PORTS : 0)
                | (view.lastMicros != last ? LAST_MICROS_APART : 0)
                | ((seen & ~HISTORY_SEEN_BITS) != 0 ? HISTORY_SEEN_UNPACKED : 0)
                | (view.origPayload != 0 ? ORIG_PAYLOAD : 0)
                | (view.respPayload != 0 ? RESP_PAYLOAD : 0)
                | (view.timers.cancelled ? TIMERS_CANCELLED : 0);
        for (int i = 0; i < timers.length; i++) {
            flags |= timers[i] != NEVER ? 1 << (FIRST_TIMER + i) : 0;
        }
        out.unsigned(flags);
        if ((flags & (SAME_ENDS_AS_PREVIOUS | SWAPPED_ENDS_OF_PREVIOUS)) == 0) {
            out.unsigned(view.protocol);
            if ((flags & OTHER_ADDRESS_LENGTHS) != 0) {
                out.unsigned(view.origAddress.length);
                out.unsigned(view.respAddress.length);
            }
            out.bytes(view.origAddress);
            if ((flags & SHARED_PREFIX) != 0) {
                out.unsigned(shared);
                out.bytes(Arrays.copyOfRange(view.respAddress, shared, view.respAddress.length));
            } else {
                out.bytes(view.respAddress);
            }
            if ((flags & WIDE_PORTS) != 0) {
                out.unsigned(view.origPort);
                out.unsigned(view.respPort);
            } else {
                out.fixed(view.origPort, 2);
                out.fixed(view.respPort, 2);
            }
        }
        out.signed(start - (previous == null ? 0 : previous.startMicros));
        out.signed(last - start);
        if ((flags & LAST_MICROS_APART) != 0) {
            out.signed(view.lastMicros - last);
        }
        out.string(view.history.letters.toString());
        out.unsigned((flags & HISTORY_SEEN_UNPACKED) != 0 ? seen : (seen & 0x7f) | (seen >>> 16 & 0x7f) << 7);
        out.unsigned(view.origPackets);
        out.unsigned(view.respPackets);
        if ((flags & ORIG_PAYLOAD) != 0) {
            out.unsigned(view.origPayload);
        }
        if ((flags & RESP_PAYLOAD) != 0) {
            out.unsigned(view.respPayload);
        }
        for (int i = 0; i < timers.length; i++) {
            if (timers[i] != NEVER) {
                out.signed(timers[i] - (i == 0 ? start : last));
            }
        }
        writeEndpoint(out, view.orig, start, last);
        writeEndpoint(out, view.resp, start, last);
    }

    static ConnectionView read(VarintReader in, ConnectionView previous) {
        ConnectionView view = new ConnectionView();
        int flags = in.unsignedInt();
        if ((flags & (SAME_ENDS_AS_PREVIOUS | SWAPPED_ENDS_OF_PREVIOUS)) != 0) {
            if (previous == null) {
                throw new IllegalStateException("flow state's first view refers to a view before it");
            }
            boolean swapped = (flags & SWAPPED_ENDS_OF_PREVIOUS) != 0;
            view.protocol = previous.protocol;
            view.origAddress = (swapped ? previous.respAddress : previous.origAddress).clone();
            view.respAddress = (swapped ? previous.origAddress : previous.respAddress).clone();
            view.origPort = swapped ? previous.respPort : previous.origPort;
            view.respPort = swapped ? previous.origPort : previous.respPort;
        } else {
            view.protocol = in.unsignedInt();
            int origLength = (flags & IPV6) != 0 ? 16 : 4;
            int respLength = origLength;
            if ((flags & OTHER_ADDRESS_LENGTHS) != 0) {
                origLength = in.unsignedInt();
                respLength = in.unsignedInt();
            }
            view.origAddress = in.bytes(origLength);
            view.respAddress = new byte[respLength];
            int shared = (flags & SHARED_PREFIX) != 0 ? in.unsignedInt() : 0;
            if (shared > Math.min(origLength, respLength)) {
                throw new IllegalStateException("flow state shares " + shared + " bytes of a " + respLength + "-byte address");
            }
            System.arraycopy(view.origAddress, 0, view.respAddress, 0, shared);
            System.arraycopy(in.bytes(respLength - shared), 0, view.respAddress, shared, respLength - shared);
            boolean wide = (flags & WIDE_PORTS) != 0;
            view.origPort = wide ? in.unsignedInt() : (int) in.fixed(2);
            view.respPort = wide ? in.unsignedInt() : (int) in.fixed(2);
        }
        long start = (previous == null ? 0 : previous.startMicros) + in.signed();
        long last = start + in.signed();
        view.startMicros = start;
        view.lastPacketMicros = last;
        view.lastMicros = (flags & LAST_MICROS_APART) != 0 ? last + in.signed() : last;
        view.history.letters = new StringBuilder(in.string());
        int seen = in.unsignedInt();
        view.history.seen = (flags & HISTORY_SEEN_UNPACKED) != 0 ? seen : (seen & 0x7f) | (seen >>> 7 & 0x7f) << 16;
        view.origPackets = in.unsigned();
        view.respPackets = in.unsigned();
        view.origPayload = (flags & ORIG_PAYLOAD) != 0 ? in.unsigned() : 0;
        view.respPayload = (flags & RESP_PAYLOAD) != 0 ? in.unsigned() : 0;
        long[] timers = new long[5];
        for (int i = 0; i < timers.length; i++) {
            timers[i] = (flags & 1 << (FIRST_TIMER + i)) != 0 ? (i == 0 ? start : last) + in.signed() : NEVER;
        }
        view.timers.attemptFrom = timers[0];
        view.timers.partialCloseFrom = timers[1];
        view.timers.closeExpireFrom = timers[2];
        view.timers.deleteFrom = timers[3];
        view.timers.resetFrom = timers[4];
        view.timers.cancelled = (flags & TIMERS_CANCELLED) != 0;
        view.orig = readEndpoint(in, start, last);
        view.resp = readEndpoint(in, start, last);
        return view;
    }

    /** The attempt timer first: the only one set near the start. */
    private static long[] timers(ConnectionView view) {
        RemovalTimers timers = view.timers;
        return new long[] {timers.attemptFrom, timers.partialCloseFrom, timers.closeExpireFrom, timers.deleteFrom,
                timers.resetFrom};
    }

    private static int endsFlag(ConnectionView view, ConnectionView previous) {
        if (previous == null || previous.protocol != view.protocol) {
            return 0;
        }
        if (previous.origPort == view.origPort && previous.respPort == view.respPort
                && Arrays.equals(previous.origAddress, view.origAddress)
                && Arrays.equals(previous.respAddress, view.respAddress)) {
            return SAME_ENDS_AS_PREVIOUS;
        }
        if (previous.origPort == view.respPort && previous.respPort == view.origPort
                && Arrays.equals(previous.origAddress, view.respAddress)
                && Arrays.equals(previous.respAddress, view.origAddress)) {
            return SWAPPED_ENDS_OF_PREVIOUS;
        }
        return 0;
    }

    private static void writeEndpoint(VarintWriter out, TcpEndpoint end, long start, long last) {
        long firstSyn = legacy(end.firstSynMicros, 0);
        long lastSyn = legacy(end.lastSynMicros, 0);
        long synTsVal = legacy(end.firstSynTsVal, -1);
        long probeRunFirst = legacy(end.probeRunFirstMicros, 0);
        long probeRunLast = legacy(end.probeRunLastMicros, 0);
        boolean scaled = false;
        for (int kind = 0; kind < end.scaledCount.length; kind++) {
            scaled |= end.scaledCount[kind] != 0 || end.scaledThreshold[kind] != 1;
        }
        int flags = end.state.ordinal() | end.prevState.ordinal() << 3
                | (end.startSeq != 0 || end.lastRel != 0 || end.ackRel != 0 || end.dataEndRel != 0 ? SEQUENCE : 0)
                | (end.packetsSent != 0 || end.lastSentMicros != NONE ? SENT : 0)
                | (!end.sentOnlySyns ? NOT_ONLY_SYNS : 0)
                | (end.synCount != 0 || firstSyn != 0 || lastSyn != 0 || synTsVal != -1
                        ? SYNS : 0)
                | (end.histLastSyn != NONE ? HIST_LAST_SYN : 0)
                | (end.firstSynAckMicros != NONE ? FIRST_SYN_ACK : 0)
                | (end.didClose ? DID_CLOSE : 0)
                | (end.sentRst ? SENT_RST : 0)
                | (end.finCount != 0 ? FIN_COUNT : 0)
                | (end.finSeqRel != 0 ? FIN_SEQ : 0)
                | (end.histLastFin != NONE ? HIST_LAST_FIN : 0)
                | (end.firstFinMicros != NONE ? FIRST_FIN : 0)
                | (end.rstCount != 0 ? RST_COUNT : 0)
                | (end.histLastRst != NONE ? HIST_LAST_RST : 0)
                | (end.firstRstMicros != NONE ? FIRST_RST : 0)
                | (scaled ? SCALED : 0)
                | (end.probeRun != 0 || probeRunFirst != 0 || probeRunLast != 0 ? PROBES : 0)
                | (end.provenUnansweredProbes != 0 ? PROVEN_UNANSWERED : 0)
                | (end.startSeq >>> 32 != 0 ? WIDE_START_SEQ : 0);
        out.unsigned(flags);
        if ((flags & SEQUENCE) != 0) {
            if ((flags & WIDE_START_SEQ) != 0) {
                out.signed(end.startSeq);
            } else {
                out.fixed(end.startSeq, 4); // a random 32-bit number: 4 bytes, where a varint mostly takes 5
            }
            out.signed(end.lastRel);
            out.signed(end.ackRel - end.lastRel);
            out.signed(end.dataEndRel - end.lastRel);
        }
        if ((flags & SENT) != 0) {
            out.unsigned(end.packetsSent);
            out.signed(end.lastSentMicros - last);
        }
        if ((flags & SYNS) != 0) {
            out.unsigned(end.synCount);
            out.signed(firstSyn - start);
            out.signed(lastSyn - firstSyn);
            out.unsigned(synTsVal + 1); // none (-1) as 0
        }
        if ((flags & HIST_LAST_SYN) != 0) {
            out.signed(end.histLastSyn);
        }
        if ((flags & FIRST_SYN_ACK) != 0) {
            out.signed(end.firstSynAckMicros - start);
        }
        if ((flags & FIN_COUNT) != 0) {
            out.unsigned(end.finCount);
        }
        if ((flags & FIN_SEQ) != 0) {
            out.signed(end.finSeqRel - end.lastRel);
        }
        if ((flags & HIST_LAST_FIN) != 0) {
            out.signed(end.histLastFin - end.lastRel);
        }
        if ((flags & FIRST_FIN) != 0) {
            out.signed(end.firstFinMicros - last);
        }
        if ((flags & RST_COUNT) != 0) {
            out.unsigned(end.rstCount);
        }
        if ((flags & HIST_LAST_RST) != 0) {
            out.signed(end.histLastRst - end.lastRel);
        }
        if ((flags & FIRST_RST) != 0) {
            out.signed(end.firstRstMicros - last);
        }
        if (scaled) {
            writeScaled(out, end);
        }
        if ((flags & PROBES) != 0) {
            out.unsigned(end.probeRun);
            out.signed(probeRunFirst - last);
            out.signed(probeRunLast - probeRunFirst);
        }
        if ((flags & PROVEN_UNANSWERED) != 0) {
            out.unsigned(end.provenUnansweredProbes);
        }
    }

    private static TcpEndpoint readEndpoint(VarintReader in, long start, long last) {
        TcpEndpoint end = new TcpEndpoint();
        int flags = in.unsignedInt();
        end.state = EndpointState.of(flags & 7);
        end.prevState = EndpointState.of(flags >>> 3 & 7);
        if ((flags & SEQUENCE) != 0) {
            end.startSeq = (flags & WIDE_START_SEQ) != 0 ? in.signed() : in.fixed(4);
            end.lastRel = in.signed();
            end.ackRel = end.lastRel + in.signed();
            end.dataEndRel = end.lastRel + in.signed();
        }
        if ((flags & SENT) != 0) {
            end.packetsSent = in.unsigned();
            end.lastSentMicros = last + in.signed();
        }
        end.sentOnlySyns = (flags & NOT_ONLY_SYNS) == 0;
        if ((flags & SYNS) != 0) {
            end.synCount = in.unsignedInt();
            long firstSyn = start + in.signed();
            end.firstSynMicros = legacy(firstSyn, 0);
            end.lastSynMicros = legacy(firstSyn + in.signed(), 0);
            end.firstSynTsVal = legacy(in.unsigned() - 1, -1);
        }
        end.histLastSyn = (flags & HIST_LAST_SYN) != 0 ? in.signed() : NONE;
        end.firstSynAckMicros = (flags & FIRST_SYN_ACK) != 0 ? start + in.signed() : NONE;
        end.didClose = (flags & DID_CLOSE) != 0;
        end.sentRst = (flags & SENT_RST) != 0;
        end.finCount = (flags & FIN_COUNT) != 0 ? in.unsignedInt() : 0;
        end.finSeqRel = (flags & FIN_SEQ) != 0 ? end.lastRel + in.signed() : 0;
        end.histLastFin = (flags & HIST_LAST_FIN) != 0 ? end.lastRel + in.signed() : NONE;
        end.firstFinMicros = (flags & FIRST_FIN) != 0 ? last + in.signed() : NONE;
        end.rstCount = (flags & RST_COUNT) != 0 ? in.unsignedInt() : 0;
        end.histLastRst = (flags & HIST_LAST_RST) != 0 ? end.lastRel + in.signed() : NONE;
        end.firstRstMicros = (flags & FIRST_RST) != 0 ? last + in.signed() : NONE;
        if ((flags & SCALED) != 0) {
            readScaled(in, end);
        }
        if ((flags & PROBES) != 0) {
            end.probeRun = in.unsignedInt();
            long probeRunFirst = last + in.signed();
            end.probeRunFirstMicros = legacy(probeRunFirst, 0);
            end.probeRunLastMicros = legacy(probeRunFirst + in.signed(), 0);
        }
        end.provenUnansweredProbes = (flags & PROVEN_UNANSWERED) != 0 ? in.unsignedInt() : 0;
        return end;
    }

    /**
     * A value as stored where an earlier version said "none" with {@code legacyNone}: swaps that and {@link
     * Absent#NONE} (both ways, so every value still comes back).
     */
    private static long legacy(long value, long legacyNone) {
        return value == NONE ? legacyNone : value == legacyNone ? NONE : value;
    }

    /** The counts of T, G and W; each threshold only where it is not the one its count implies (never, so far). */
    private static void writeScaled(VarintWriter out, TcpEndpoint end) {
        int unusual = 0;
        for (int kind = 0; kind < end.scaledCount.length; kind++) {
            out.unsigned(end.scaledCount[kind]);
            unusual |= end.scaledThreshold[kind] != threshold(end.scaledCount[kind]) ? 1 << kind : 0;
        }
        out.unsigned(unusual);
        for (int kind = 0; kind < end.scaledCount.length; kind++) {
            if ((unusual & 1 << kind) != 0) {
                out.signed(end.scaledThreshold[kind]);
            }
        }
    }

    private static void readScaled(VarintReader in, TcpEndpoint end) {
        for (int kind = 0; kind < end.scaledCount.length; kind++) {
            end.scaledCount[kind] = in.unsigned();
        }
        int unusual = in.unsignedInt();
        for (int kind = 0; kind < end.scaledCount.length; kind++) {
            end.scaledThreshold[kind] = (unusual & 1 << kind) != 0 ? in.signed() : threshold(end.scaledCount[kind]);
        }
    }

    /** The next count at which {@link TcpEndpoint#countScaled} adds the letter: 1, then 10, 100, ... */
    private static long threshold(long count) {
        long threshold = 1;
        while (threshold <= count && threshold <= Long.MAX_VALUE / 10) {
            threshold *= 10;
        }
        return threshold;
    }
}
