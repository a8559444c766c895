package dev.wirewatch.processor.flow;

import static dev.wirewatch.processor.Packets.ACK;
import static dev.wirewatch.processor.Packets.PSH;
import static dev.wirewatch.processor.Packets.SYN;

import dev.wirewatch.processor.Packets;
import dev.wirewatch.processor.detect.UnansweredSynDetector;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.FlowKey;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The state that issue 17 is about: an established TCP connection, idle for hours after a handshake and two
 * request / response exchanges, as one vantage (the client's host) or two (the client's and the server's) keep it.
 * Values are production-shaped: epoch microseconds, random 32-bit initial sequence numbers, a TSval on the SYN,
 * ephemeral client port, a deadline two hours after the last packet.
 */
final class IdleConnections {
    static final long T0 = 1_718_000_000_123_456L;
    static final long IDLE_HOURS = 2;
    private static final long CLIENT_ISN = 3_456_789_012L;
    private static final long SERVER_ISN = 1_234_567_890L;
    private static final int CLIENT_PORT = 51_234;
    private static final int SERVER_PORT = 8_443;
    private static final long SERVER_LAG_MICROS = 180; // the server's sensor sees the client's packets later

    /** Where the two ends are: IPv4 in one data centre, IPv6 in two /48s of one /32. */
    enum Family {
        IPV4("10.20.30.40", "10.20.99.5"),
        IPV6("2001:db8:aaaa:1::15", "2001:db8:bbbb:2::80");

        final String client;
        final String server;

        Family(String client, String server) {
            this.client = client;
            this.server = server;
        }
    }

    static final Vantage CLIENT_HOST = new Vantage("app-client-01", "eth0");
    static final Vantage SERVER_HOST = new Vantage("app-server-01", "eth0");

    private IdleConnections() {}

    /** The flow store's key for the connection. */
    static byte[] flowKey(Family family) {
        return FlowKey.of(6, Addresses.parse(family.client), CLIENT_PORT, Addresses.parse(family.server), SERVER_PORT)
                .toBytes();
    }

    /** The flow as {@code vantages} saw it, with the deadline and timer the processor would leave while it idles. */
    static FlowState of(Family family, Vantage... vantages) {
        FlowState state = new FlowState();
        for (Vantage vantage : vantages) {
            List<PacketEvent> packets = packets(family, vantage);
            ConnectionView view = ConnectionView.start(packets.get(0));
            packets.subList(1, packets.size()).forEach(view::observe);
            state.add(vantage, view);
        }
        long firstDeadline = T0 + 3_000 + IDLE_HOURS * 3_600_000_000L;
        state.timerMicros(firstDeadline); // armed at the handshake; a later deadline leaves it where it is
        state.deadlineMicros(state.lastSeenMicros() + IDLE_HOURS * 3_600_000_000L);
        state.markSettled(UnansweredSynDetector.TYPE);
        return state;
    }

    private static List<PacketEvent> packets(Family family, Vantage vantage) {
        long lag = vantage.equals(SERVER_HOST) ? SERVER_LAG_MICROS : 0;
        List<PacketEvent> packets = new ArrayList<>();
        long c = CLIENT_ISN + 1;
        long s = SERVER_ISN + 1;
        packets.add(fromClient(family, vantage, T0 + lag, SYN, CLIENT_ISN, 0, 0, 2_876_543_210L));
        packets.add(fromServer(family, vantage, T0 + 400 - lag, SYN | ACK, SERVER_ISN, c, 0));
        packets.add(fromClient(family, vantage, T0 + 600 + lag, ACK, c, s, 0, null));
        long at = T0 + 1_000;
        for (int exchange = 0; exchange < 2; exchange++) {
            packets.add(fromClient(family, vantage, at + lag, PSH | ACK, c, s, 517, null));
            c += 517;
            for (int segment = 0; segment < 3; segment++) {
                packets.add(fromServer(family, vantage, at + 900 + segment * 40 - lag, ACK, s, c, 1448));
                s += 1448;
            }
            packets.add(fromClient(family, vantage, at + 1_100 + lag, ACK, c, s, 0, null));
            at += 4_200_000;
        }
        return packets;
    }

    private static PacketEvent fromClient(Family family, Vantage vantage, long ts, int flags, long seq, long ack,
                                          int payload, Long tsVal) {
        return packet(family, vantage, ts, family.client, CLIENT_PORT, family.server, SERVER_PORT, flags, seq, ack,
                payload, tsVal);
    }

    private static PacketEvent fromServer(Family family, Vantage vantage, long ts, int flags, long seq, long ack,
                                          int payload) {
        return packet(family, vantage, ts, family.server, SERVER_PORT, family.client, CLIENT_PORT, flags, seq, ack,
                payload, null);
    }

    private static PacketEvent packet(Family family, Vantage vantage, long ts, String src, int srcPort, String dst,
                                      int dstPort, int flags, long seq, long ack, int payload, Long tsVal) {
        PacketEvent packet = Packets.tcp(vantage.host(), ts, src, srcPort, dst, dstPort, flags, seq & 0xffffffffL,
                ack & 0xffffffffL, payload);
        packet.setIface(vantage.iface());
        packet.setIpVersion(family == Family.IPV4 ? 4 : 6);
        packet.getTcp().setTsVal(tsVal);
        packet.setSrc(ByteBuffer.wrap(Addresses.parse(src)));
        packet.setDst(ByteBuffer.wrap(Addresses.parse(dst)));
        return packet;
    }
}
