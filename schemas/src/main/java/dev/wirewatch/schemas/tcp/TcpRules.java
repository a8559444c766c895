package dev.wirewatch.schemas.tcp;

import static dev.wirewatch.schemas.TcpFlags.FIN;
import static dev.wirewatch.schemas.TcpFlags.RST;
import static dev.wirewatch.schemas.TcpFlags.SYN;

import dev.wirewatch.schemas.FlowKey;

/**
 * The TCP rules the sensor and the processor must apply alike: the sensor's control mode summarises exactly the
 * packets the processor's connection view would only count, so both sides read sequence numbers, keep-alive
 * probes and payload sizes by these functions and not by copies of them. Sequence numbers are 32-bit and wrap;
 * every comparison is by their signed difference.
 */
public final class TcpRules {
    /** A SYN, RST or acknowledgement that jumps further than this (1 MiB) is not trusted (Zeek's TOO_LARGE_SEQ_DELTA). */
    public static final int TOO_LARGE_SEQ_DELTA = 1_048_576;

    private static final int IPV4_HEADER = 20;
    private static final int IPV6_HEADER = 40;
    private static final int UDP_HEADER = 8;

    private TcpRules() {}

    /** {@code a - b} as 32-bit sequence numbers: positive when {@code a} is after {@code b}. */
    public static int delta(long a, long b) {
        return (int) (a - b);
    }

    /** The sequence space a segment takes: its payload, plus one for a SYN and one for a FIN; a RST's payload none. */
    public static int segmentLength(int flags, int payloadLength) {
        return ((flags & RST) != 0 ? 0 : payloadLength) + ((flags & SYN) != 0 ? 1 : 0) + ((flags & FIN) != 0 ? 1 : 0);
    }

    /** A jump of the highest sequence by {@code delta} that a SYN or RST may not make: it is ignored. */
    public static boolean untrustedJump(int flags, int delta) {
        return (flags & (SYN | RST)) != 0 && (delta > TOO_LARGE_SEQ_DELTA || delta < -TOO_LARGE_SEQ_DELTA);
    }

    /** An acknowledgement that moves {@code delta} past the highest one: ahead, and not a zero ack from far away. */
    public static boolean ackAdvances(long ack, int delta) {
        return delta > 0 && !(ack == 0 && delta > TOO_LARGE_SEQ_DELTA);
    }

    /**
     * A segment that does not advance the highest sequence sent ({@code delta} from it is not positive) but
     * carries payload: a retransmission.
     */
    public static boolean isRetransmission(int delta, int payloadLength) {
        return delta <= 0 && payloadLength > 0;
    }

    /**
     * A keep-alive probe: zero or one byte at one below {@code nextSeq}, the sequence number after the highest the
     * side sent (the caller checks the flags: a plain ACK, on an established connection).
     */
    public static boolean isKeepAliveProbe(long seq, int payloadLength, long nextSeq) {
        return payloadLength <= 1 && delta(seq + 1, nextSeq) == 0;
    }

    /**
     * The payload of a packet without a decoded TCP header, from its IP length: the IP header without options,
     * and for UDP its 8-byte header, taken off; never negative.
     */
    public static long payloadEstimate(int ipVersion, int ipLength, int protocol) {
        int headers = (ipVersion == 6 ? IPV6_HEADER : IPV4_HEADER) + (protocol == FlowKey.UDP ? UDP_HEADER : 0);
        return Math.max(0, ipLength - headers);
    }
}
