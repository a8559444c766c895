package dev.wirewatch.processor.flow;

import static dev.wirewatch.schemas.TcpFlags.ACK;
import static dev.wirewatch.schemas.TcpFlags.FIN;
import static dev.wirewatch.schemas.TcpFlags.RST;
import static dev.wirewatch.schemas.TcpFlags.SYN;

import dev.wirewatch.record.TcpHeader;

/** One TCP packet's header as the analyzer reads it. */
record TcpSegment(int flags, long seq, long ackSeq, int length, int window, Long tsVal) {
    static TcpSegment of(TcpHeader tcp) {
        return new TcpSegment(tcp.getFlags(), tcp.getSeq(), tcp.getAck(), tcp.getPayloadLength(), tcp.getWindow(),
                tcp.getTsVal());
    }

    boolean syn() {
        return (flags & SYN) != 0;
    }

    boolean fin() {
        return (flags & FIN) != 0;
    }

    boolean rst() {
        return (flags & RST) != 0;
    }

    boolean ack() {
        return (flags & ACK) != 0;
    }
}
