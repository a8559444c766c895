package dev.wirewatch.app.bench;

import static dev.wirewatch.schemas.TcpFlags.ACK;
import static dev.wirewatch.schemas.TcpFlags.FIN;
import static dev.wirewatch.schemas.TcpFlags.PSH;
import static dev.wirewatch.schemas.TcpFlags.RST;
import static dev.wirewatch.schemas.TcpFlags.SYN;

import dev.wirewatch.schemas.FlowKey;
import java.util.ArrayDeque;
import java.util.Random;

/**
 * One TCP connection between two Linux hosts, segment by segment. Each side acknowledges what has reached it by
 * the time it sends (so ACK numbers never run ahead of the capture), and every segment but a closed port's reset
 * carries timestamps: TSval counts milliseconds of the sender's clock from a per-connection random offset, TSecr
 * echoes the last TSval that reached the sender. Sequence numbers are kept unwrapped and cut to 32 bits on the wire.
 */
final class TcpConversation {
    static final int WINDOW_SCALE = 7;

    /** What becomes of a client's SYN. */
    enum Delivery { DELIVERED, DROPPED_AT_SERVER, LOST_BEFORE_SERVER }

    private record InFlight(long arrival, long endSeq, long tsVal) {}

    /** One end: its address and port, what it has sent, and what has reached it. */
    private static final class Side {
        final byte[] address;
        final int port;
        final long isn;
        final long tsOffset;
        long nextSeq;
        long received;
        long tsRecent;
        long acked;
        long lastSent = Long.MIN_VALUE;
        int ipId;
        final ArrayDeque<InFlight> inbound = new ArrayDeque<>();

        Side(byte[] address, int port, Random random) {
            this.address = address;
            this.port = port;
            this.isn = random.nextInt() & 0xffff_ffffL;
            this.tsOffset = random.nextInt() & 0xffff_ffffL;
            this.nextSeq = isn;
            this.ipId = random.nextInt(0x10000);
        }

        /** Takes in what has reached this side by {@code now}: the peer's bytes and its latest TSval. */
        void receiveUntil(long now) {
            while (!inbound.isEmpty() && inbound.peekFirst().arrival() <= now) {
                InFlight segment = inbound.pollFirst();
                received = Math.max(received, segment.endSeq());
                tsRecent = segment.tsVal();
            }
        }
    }

    private final FlowScript script;
    private final Side client;
    private final Side server;
    private final int mss;

    TcpConversation(FlowScript script, Random random, byte[] clientAddress, int clientPort, byte[] serverAddress,
                    int serverPort) {
        this.script = script;
        this.client = new Side(clientAddress, clientPort, random);
        this.server = new Side(serverAddress, serverPort, random);
        this.mss = clientAddress.length == 4 ? 1460 : 1440;
    }

    /** The most payload a segment carries with timestamps on (1448 over IPv4, 1428 over IPv6). */
    int maxSegment() {
        return mss - 12;
    }

    FlowScript script() {
        return script;
    }

    /** The client's SYN (a retransmission repeats the ISN); returns its arrival at the server, or LOST. */
    long syn(long at, Delivery delivery) {
        client.nextSeq = client.isn;
        return emit(client, at, SYN, 0, client.isn, delivery);
    }

    long synAck(long at) {
        server.nextSeq = server.isn;
        return emit(server, at, SYN | ACK, 0, server.isn, Delivery.DELIVERED);
    }

    /** A segment carrying {@code payload} bytes (FIN and RST as flags); returns its arrival at the peer. */
    long send(boolean fromClient, long at, int flags, int payload) {
        Side from = fromClient ? client : server;
        return emit(from, at, flags, payload, from.nextSeq, Delivery.DELIVERED);
    }

    /** Linux's keep-alive probe: no data, one below the next sequence number, so the peer must answer with an ACK. */
    long keepAliveProbe(long at) {
        return emit(client, at, ACK, 0, client.nextSeq - 1, Delivery.DELIVERED);
    }

    /**
     * The reset a host sends for a SYN to a port nobody listens on: RST|ACK, sequence 0, acknowledging the SYN,
     * no options (no socket, so no timestamps). Starts the connection afresh for a retry with a new ISN.
     */
    long refuse(long at) {
        server.receiveUntil(at);
        long sent = Math.max(at, server.lastSent + 1);
        server.lastSent = sent;
        byte[] tcp = Frames.tcp(server.port, client.port, 0, client.isn + 1, RST | ACK, 0, new byte[0]);
        return script.fromServer(sent, Frames.ip(server.address, client.address, false, FlowKey.TCP,
                server.ipId++, tcp, 0));
    }

    /**
     * {@code count} segments from one side, {@code spacing} apart, all full but the last ({@code lastSize} bytes,
     * with PSH); the receiver ACKs every second segment as it arrives (Linux's delayed ACK), and an odd last one
     * is left for its next segment to acknowledge. Returns the last segment's arrival at the receiver.
     */
    long stream(boolean fromClient, long start, int count, int lastSize, long spacing, Random random) {
        long[] ackAt = new long[count / 2];
        int acksSent = 0;
        long arrival = start;
        for (int i = 0; i < count; i++) {
            long sendAt = start + i * spacing + random.nextInt(4);
            while (acksSent < ackAt.length && acksSent * 2 + 1 < i && ackAt[acksSent] < sendAt) {
                send(!fromClient, ackAt[acksSent++], ACK, 0); // before this segment leaves, so it echoes its TSval
            }
            boolean last = i == count - 1;
            arrival = send(fromClient, sendAt, last ? ACK | PSH : ACK, last ? lastSize : maxSegment());
            if (i % 2 == 1) {
                ackAt[i / 2] = arrival + 2 + random.nextInt(6);
            }
        }
        while (acksSent < ackAt.length) {
            send(!fromClient, ackAt[acksSent++], ACK, 0);
        }
        return arrival;
    }

    /** Whether, by {@code at}, this side has received bytes it has not acknowledged yet (a delayed ACK pending). */
    boolean owesAck(boolean fromClient, long at) {
        Side side = fromClient ? client : server;
        side.receiveUntil(at);
        return side.received > side.acked;
    }

    /** When this side last sent. */
    long lastSent(boolean fromClient) {
        return (fromClient ? client : server).lastSent;
    }

    private long emit(Side from, long at, int flags, int payload, long seq, Delivery delivery) {
        boolean fromClient = from == client;
        Side to = fromClient ? server : client;
        long sent = Math.max(at, from.lastSent + 1);
        from.lastSent = sent;
        from.receiveUntil(sent);
        long tsVal = (from.tsOffset + Math.floorDiv(sent, 1000)) & 0xffff_ffffL;
        boolean synAck = (flags & (SYN | ACK)) == (SYN | ACK);
        byte[] options = (flags & SYN) != 0
                ? Frames.synOptions(mss, tsVal, synAck ? from.tsRecent : 0, WINDOW_SCALE)
                : Frames.timestampOptions(tsVal, from.tsRecent);
        int window = (flags & SYN) != 0 ? (fromClient ? 64_240 : 65_160) : (fromClient ? 502 : 509);
        long ack = (flags & ACK) != 0 ? from.received : 0;
        from.acked = Math.max(from.acked, ack);
        byte[] tcp = Frames.tcp(from.port, to.port, seq, ack, flags, window, options);
        Frame frame = Frames.ip(from.address, to.address, fromClient, FlowKey.TCP, from.ipId++, tcp, payload);
        long end = seq + payload + ((flags & (SYN | FIN)) != 0 ? 1 : 0);
        if ((flags & RST) == 0) {
            from.nextSeq = Math.max(from.nextSeq, end);
        }
        if (delivery == Delivery.LOST_BEFORE_SERVER) {
            script.fromClientLost(sent, frame);
            return FlowScript.LOST;
        }
        long arrival = fromClient ? script.fromClient(sent, frame) : script.fromServer(sent, frame);
        if (delivery == Delivery.DELIVERED) {
            to.inbound.addLast(new InFlight(arrival, end, tsVal));
        }
        return arrival;
    }
}
