package dev.wirewatch.app.bench;

import static dev.wirewatch.schemas.TcpFlags.ACK;
import static dev.wirewatch.schemas.TcpFlags.FIN;
import static dev.wirewatch.schemas.TcpFlags.PSH;
import static dev.wirewatch.schemas.TcpFlags.RST;

import dev.wirewatch.app.bench.TcpConversation.Delivery;
import dev.wirewatch.schemas.FlowKey;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Makes the mix's flows one at a time, each whole (every packet, both vantages), from one Random. Kinds per 1,000
 * flows: 100 DNS, 25 ICMP echo, 5 ICMP port unreachable, 10 unanswered SYNs, 5 refused, 5 reset mid-stream, the
 * rest short TCP (one in ten closed by the client's RST); one flow in {@value #BULK_EVERY} is a bulk transfer.
 * Short flows mostly make one request with a one-segment answer, so that a million packets hold over 100,000 of them.
 */
final class MixTraffic {
    static final int BULK_EVERY = 10_000;
    private static final int BULK_FIRST = 20;
    private static final int[] CLOSED_PORTS = {8443, 9000, 3306, 9200};

    /** An idle connection that answers keep-alive probes. */
    record KeepAliveSession(TcpConversation tcp) {}

    private final Random random;
    private final AddressPlan plan;
    private final MixTruth.Tally tally;
    private long flowsMade;

    MixTraffic(Random random, MixTruth.Tally tally) {
        this.random = random;
        this.plan = new AddressPlan(random);
        this.tally = tally;
    }

    /** The next flow, starting with the client's first packet at {@code start}. */
    List<ScriptedPacket> nextFlow(long start) {
        boolean v6 = newFlow();
        if (flowsMade++ % BULK_EVERY == BULK_FIRST) {
            return bulk(start, v6);
        }
        int draw = random.nextInt(1000);
        if (draw < 100) {
            return dns(start, v6);
        } else if (draw < 125) {
            return echo(start, v6);
        } else if (draw < 130) {
            return portUnreachable(start, v6);
        } else if (draw < 140) {
            return unanswered(start, v6);
        } else if (draw < 145) {
            return refused(start, v6);
        } else if (draw < 150) {
            return midStreamReset(start, v6);
        }
        return shortFlow(start, v6, random.nextInt(10) == 0);
    }

    /** A database connection (5432 or 6379) that is opened at {@code start}, logs in, and then sits idle. */
    KeepAliveSession openKeepAlive(long start) {
        boolean v6 = newFlow();
        tally.keepAliveSessions++;
        int server = 8 * random.nextInt(AddressPlan.SERVERS / 8) + 4 + random.nextInt(2);
        TcpConversation tcp = connect(v6, server, plan.service(server));
        long answered = exchange(tcp, handshake(tcp, start) + appDelay(), thinkTime()); // the login
        if (tcp.owesAck(true, answered)) {
            tcp.send(true, answered + 40_000, ACK, 0); // Linux's delayed-ACK timer, nothing else to carry it
        }
        return new KeepAliveSession(tcp);
    }

    /** Packets of the session made since the last call (its handshake, or its latest probe). */
    List<ScriptedPacket> take(KeepAliveSession session) {
        return session.tcp().script().take();
    }

    /** A keep-alive probe at {@code at} and the server's ACK. */
    void probe(KeepAliveSession session, long at) {
        tally.keepAliveProbes++;
        long atServer = session.tcp().keepAliveProbe(at);
        session.tcp().send(false, atServer + kernel(), ACK, 0);
    }

    private boolean newFlow() {
        boolean v6 = random.nextBoolean();
        tally.flows++;
        tally.ipv6Flows += v6 ? 1 : 0;
        return v6;
    }

    private List<ScriptedPacket> shortFlow(long start, boolean v6, boolean resetClose) {
        int server = plan.randomServer();
        TcpConversation tcp = connect(v6, server, plan.service(server));
        long think = thinkTime();
        long now = handshake(tcp, start) + appDelay();
        int exchanges = pick(new int[] {90, 97, 100}) + 1;
        long lastArrival = now;
        for (int i = 0; i < exchanges; i++) {
            lastArrival = exchange(tcp, now, think);
            now = lastArrival + appDelay(); // the next request (or FIN) also ACKs an odd last segment
        }
        if (resetClose) {
            tally.shortRst++;
            if (tcp.owesAck(true, lastArrival + 1)) {
                tcp.send(true, lastArrival + kernel(), ACK, 0);
            }
            tcp.send(true, tcp.lastSent(true) + 100 + random.nextInt(1_900), RST | ACK, 0);
        } else {
            tally.shortFin++;
            close(tcp, now);
        }
        return tcp.script().take();
    }

    private List<ScriptedPacket> midStreamReset(long start, boolean v6) {
        tally.midStreamReset++;
        int server = plan.randomServer();
        TcpConversation tcp = connect(v6, server, plan.service(server));
        long think = thinkTime();
        long now = handshake(tcp, start) + appDelay();
        for (int i = random.nextInt(2); i >= 0; i--) {
            now = exchange(tcp, now, think) + appDelay();
        }
        long atServer = tcp.send(true, now, PSH | ACK, 100 + random.nextInt(601));
        tcp.send(false, atServer + think, RST | ACK, 0); // the server application aborts
        return tcp.script().take();
    }

    private List<ScriptedPacket> bulk(long start, boolean v6) {
        tally.bulk++;
        int server = plan.randomServer();
        TcpConversation tcp = connect(v6, server, plan.service(server));
        long now = handshake(tcp, start) + appDelay();
        boolean upload = random.nextBoolean();
        long end = tcp.stream(upload, now, 1_000 + random.nextInt(2_001), tcp.maxSegment(), 16 + random.nextInt(25),
                random);
        close(tcp, (upload ? tcp.lastSent(true) : end) + appDelay());
        return tcp.script().take();
    }

    /** SYN at t, t+1 s and t+3 s with one ISN (Linux's backoff), never answered. */
    private List<ScriptedPacket> unanswered(long start, boolean v6) {
        boolean dropped = random.nextBoolean();
        Delivery delivery = dropped ? Delivery.DROPPED_AT_SERVER : Delivery.LOST_BEFORE_SERVER;
        if (dropped) {
            tally.unansweredDroppedAtServer++;
        } else {
            tally.unansweredLostBeforeServer++;
        }
        int server = plan.randomServer();
        TcpConversation tcp = connect(v6, server, plan.service(server));
        for (long backoff : new long[] {0, 1_000_000, 3_000_000}) {
            tcp.syn(start + backoff, delivery);
        }
        return tcp.script().take();
    }

    /**
     * A SYN to a closed port answered by RST|ACK; half the clients try once more, as a new connect() does: from
     * the next ephemeral port, so each attempt is a conversation of its own.
     */
    private List<ScriptedPacket> refused(long start, boolean v6) {
        byte[] server = plan.server(v6, plan.randomServer());
        int port = CLOSED_PORTS[random.nextInt(CLOSED_PORTS.length)];
        FlowScript script = new FlowScript(random, oneWayDelay());
        AddressPlan.Client client = plan.client(v6);
        int attempts = random.nextBoolean() ? 2 : 1;
        for (int i = 0; i < attempts; i++) {
            tally.refused++;
            if (i > 0) {
                client = plan.again(client);
            }
            TcpConversation tcp = new TcpConversation(script, random, client.address(), client.port(), server, port);
            long atServer = tcp.syn(start + i * (200_000L + random.nextInt(800_000)), Delivery.DELIVERED);
            tcp.refuse(atServer + kernel());
        }
        return script.take();
    }

    private List<ScriptedPacket> dns(long start, boolean v6) {
        tally.dnsExchanges++;
        AddressPlan.Client client = plan.client(v6);
        byte[] resolver = plan.resolver(v6);
        FlowScript script = new FlowScript(random, oneWayDelay());
        String name = DnsMessages.NAMES[random.nextInt(DnsMessages.NAMES.length)];
        boolean aaaa = random.nextBoolean();
        int id = random.nextInt(0x10000);
        byte[] query = Frames.udp(client.port(), 53, DnsMessages.query(id, name, aaaa), 0);
        long atResolver = script.fromClient(start, Frames.ip(client.address(), resolver, true, FlowKey.UDP,
                random.nextInt(0x10000), query, 0));
        byte[] answer = Frames.udp(53, client.port(),
                DnsMessages.response(id, name, aaaa, random.nextInt(20) == 0, random), 0);
        script.fromServer(atResolver + 50 + random.nextInt(3_000), Frames.ip(resolver, client.address(), false,
                FlowKey.UDP, random.nextInt(0x10000), answer, 0));
        return script.take();
    }

    /** An echo request with ping's 56 bytes of data, and its reply. */
    private List<ScriptedPacket> echo(long start, boolean v6) {
        tally.icmpEchoes++;
        AddressPlan.Client client = plan.client(v6);
        byte[] server = plan.server(v6, plan.randomServer());
        FlowScript script = new FlowScript(random, oneWayDelay());
        int protocol = v6 ? FlowKey.ICMPV6 : FlowKey.ICMP;
        int idAndSequence = (random.nextInt(0x10000) << 16) | (1 + random.nextInt(100));
        byte[] data = new byte[56];
        random.nextBytes(data);
        long atServer = script.fromClient(start, Frames.ip(client.address(), server, true, protocol,
                random.nextInt(0x10000), Frames.icmp(v6 ? 128 : 8, 0, idAndSequence, data), 0));
        script.fromServer(atServer + kernel(), Frames.ip(server, client.address(), false, protocol,
                random.nextInt(0x10000), Frames.icmp(v6 ? 129 : 0, 0, idAndSequence, data), 0));
        return script.take();
    }

    /** A UDP datagram to a closed port (a traceroute probe) and the port-unreachable error quoting it whole. */
    private List<ScriptedPacket> portUnreachable(long start, boolean v6) {
        tally.icmpUnreachable++;
        AddressPlan.Client client = plan.client(v6);
        byte[] server = plan.server(v6, plan.randomServer());
        FlowScript script = new FlowScript(random, oneWayDelay());
        Frame probe = Frames.ip(client.address(), server, true, FlowKey.UDP, random.nextInt(0x10000),
                Frames.udp(client.port(), 33_434 + random.nextInt(100), new byte[12], 0), 0);
        long atServer = script.fromClient(start, probe);
        byte[] quoted = Arrays.copyOfRange(probe.captured(), Frames.ETHERNET, probe.captured().length);
        byte[] error = v6 ? Frames.icmp(1, 4, 0, quoted) : Frames.icmp(3, 3, 0, quoted);
        script.fromServer(atServer + kernel(), Frames.ip(server, client.address(), false,
                v6 ? FlowKey.ICMPV6 : FlowKey.ICMP, random.nextInt(0x10000), error, 0));
        return script.take();
    }

    private TcpConversation connect(boolean v6, int server, int port) {
        AddressPlan.Client client = plan.client(v6);
        return new TcpConversation(new FlowScript(random, oneWayDelay()), random, client.address(), client.port(),
                plan.server(v6, server), port);
    }

    /** SYN, SYN-ACK, ACK; returns when the client's ACK left. */
    private long handshake(TcpConversation tcp, long start) {
        long atServer = tcp.syn(start, Delivery.DELIVERED);
        long atClient = tcp.synAck(atServer + kernel());
        tcp.send(true, atClient + kernel(), ACK, 0);
        return tcp.lastSent(true);
    }

    /** A request of 100–700 bytes and a response of 1–6 segments; returns when the last segment reached the client. */
    private long exchange(TcpConversation tcp, long at, long think) {
        long atServer = tcp.send(true, at, PSH | ACK, 100 + random.nextInt(601));
        int segments = pick(new int[] {82, 90, 94, 97, 99, 100}) + 1;
        long respondAt = atServer + think * (70 + random.nextInt(61)) / 100;
        return tcp.stream(false, respondAt, segments, 1 + random.nextInt(tcp.maxSegment()), 16 + random.nextInt(5),
                random);
    }

    /** The client's FIN, the server's FIN-ACK, the client's last ACK. */
    private void close(TcpConversation tcp, long at) {
        long atServer = tcp.send(true, at, FIN | ACK, 0);
        long atClient = tcp.send(false, atServer + 20 + random.nextInt(180), FIN | ACK, 0);
        tcp.send(true, atClient + kernel(), ACK, 0);
    }

    /** The index of the first cumulative percentage above a draw from 0 to 99. */
    private int pick(int[] cumulativePercent) {
        int draw = random.nextInt(100);
        int i = 0;
        while (draw >= cumulativePercent[i]) {
            i++;
        }
        return i;
    }

    /** A kernel's turnaround: SYN-ACK, ACK or RST a few microseconds after the packet that asked for it. */
    private long kernel() {
        return 3 + random.nextInt(13);
    }

    /** An application's turnaround on the client: the next request or the close. */
    private long appDelay() {
        return 20 + random.nextInt(480);
    }

    /** A server's time to answer, per flow: 0.1 to 18 ms, log-uniform, so request-to-response gaps span 0.4–20 ms. */
    private long thinkTime() {
        return Math.round(Math.exp(Math.log(100) + random.nextDouble() * Math.log(180)));
    }

    /** The one-way delay between the client's and the server's capture points, per flow. */
    private long oneWayDelay() {
        return 150 + random.nextInt(251);
    }
}
