package dev.wirewatch.app.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * Writes a production-shaped capture for benchmarks, deterministic for a seed: many overlapping short TCP
 * connections to services (443, 80, 5432, 6379, 8080) with Linux handshakes, timestamps and delayed ACKs, some
 * bulk transfers, idle connections sending keep-alive probes, DNS over UDP, ICMP echoes and port-unreachable
 * errors, and anomalies at known rates (unanswered SYNs, refused connections, mid-stream resets); half the flows
 * over IPv6. Headers only, snaplen 128 ({@link Frames}); {@link MixTraffic} has the rates, {@link MixTruth} what
 * was made.
 *
 * <p>Capture time starts at 2026-12-01T00:00:00Z and advances at {@code packetsPerSecond} (new flows arrive at the
 * rate that keeps it; each flow paces itself by its round trips). Time is compressed: a keep-alive interval of
 * seconds stands for Linux's two hours, so every idle session probes several times in a capture of a few seconds.
 *
 * <p>Two-sided, the same flows are also written as the server hosts capture them: each flow has a one-way delay of
 * 150–400 µs (plus up to {@value FlowScript#MAX_JITTER_MICROS} µs jitter) between the two capture points, so a
 * client's packet seen at t by the client is seen at t + delay by the server and a server's packet the other way
 * round; half the unanswered SYNs never reach the server (absent there), the other half are dropped by it.
 */
public final class MixCaptureGenerator {
    static final long START_MICROS = Instant.parse("2026-12-01T00:00:00Z").toEpochMilli() * 1000;
    private static final long KEEP_ALIVE_OPENING_MICROS = 500_000;

    /**
     * @param packets at least this many packets in the client's capture; flows in progress are finished
     * @param keepAliveSessions idle connections opened in the first half second
     */
    public record Options(long packets, long seed, double packetsPerSecond, int keepAliveSessions,
                          long keepAliveIntervalMicros) {
        public static final double DEFAULT_RATE = 50_000;

        public static Options defaults(long packets, long seed) {
            return new Options(packets, seed, DEFAULT_RATE, 300, 5_000_000);
        }

        public Options withRate(double packetsPerSecond) {
            return new Options(packets, seed, packetsPerSecond, keepAliveSessions, keepAliveIntervalMicros);
        }

        public Options withKeepAliveInterval(long micros) {
            return new Options(packets, seed, packetsPerSecond, keepAliveSessions, micros);
        }
    }

    /** Something due at a time: the next new flow (no session) or a session's next keep-alive probe. */
    private record Due(long at, long order, MixTraffic.KeepAliveSession session, boolean opening) {}

    /** A flow's packets in one capture's time order, and how far that capture has written them. */
    private static final class Cursor {
        final List<ScriptedPacket> packets;
        final boolean server;
        int next;

        Cursor(List<ScriptedPacket> packets, boolean server) {
            this.packets = packets;
            this.server = server;
        }

        long time() {
            ScriptedPacket packet = packets.get(next);
            return server ? packet.serverMicros() : packet.clientMicros();
        }
    }

    private final Options options;
    private final Random random;
    private final MixTruth.Tally tally = new MixTruth.Tally();
    private final MixTraffic traffic;
    private final PriorityQueue<Due> due = new PriorityQueue<>(
            Comparator.comparingLong(Due::at).thenComparingLong(Due::order));
    private final PriorityQueue<Cursor> clientQueue = new PriorityQueue<>(Comparator.comparingLong(Cursor::time));
    private final PriorityQueue<Cursor> serverQueue = new PriorityQueue<>(Comparator.comparingLong(Cursor::time));
    private final boolean twoSided;
    private long order;
    private long scriptedPackets;
    private long scriptedFlows;

    private MixCaptureGenerator(Options options, boolean twoSided) {
        this.options = options;
        this.random = new Random(options.seed());
        this.traffic = new MixTraffic(random, tally);
        this.twoSided = twoSided;
    }

    /** Writes the client's (or only) capture, and the server's when {@code serverFile} is not null. */
    public static MixTruth write(Path clientFile, Path serverFile, Options options) throws IOException {
        return new MixCaptureGenerator(options, serverFile != null).run(clientFile, serverFile);
    }

    private MixTruth run(Path clientFile, Path serverFile) throws IOException {
        try (PcapWriter client = new PcapWriter(clientFile);
             PcapWriter server = serverFile == null ? null : new PcapWriter(serverFile)) {
            due.add(new Due(START_MICROS, order++, null, false));
            for (int i = 0; i < options.keepAliveSessions(); i++) {
                long at = START_MICROS + KEEP_ALIVE_OPENING_MICROS * i / options.keepAliveSessions();
                due.add(new Due(at, order++, null, true));
            }
            while (true) {
                long nextPacket = Math.min(peek(clientQueue), peek(serverQueue));
                if (!due.isEmpty() && due.peek().at() <= nextPacket) {
                    Due next = due.poll();
                    if (client.packets() >= options.packets()) {
                        due.clear(); // enough: start nothing more, finish what is in flight
                    } else {
                        start(next);
                    }
                } else if (nextPacket == Long.MAX_VALUE) {
                    break;
                } else if (peek(clientQueue) == nextPacket) {
                    emit(clientQueue, client);
                } else {
                    emit(serverQueue, server);
                }
            }
            return tally.toTruth(client.packets(), server == null ? 0 : server.packets());
        }
    }

    private void start(Due next) {
        if (next.opening()) {
            MixTraffic.KeepAliveSession session = traffic.openKeepAlive(next.at());
            enqueue(traffic.take(session));
            due.add(new Due(next.at() + options.keepAliveIntervalMicros(), order++, session, false));
        } else if (next.session() != null) {
            traffic.probe(next.session(), next.at());
            enqueue(traffic.take(next.session()));
            due.add(new Due(next.at() + options.keepAliveIntervalMicros(), order++, next.session(), false));
        } else {
            List<ScriptedPacket> flow = traffic.nextFlow(next.at());
            scriptedPackets += flow.size();
            scriptedFlows++;
            enqueue(flow);
            // Poisson arrivals at the flow rate that gives the packet rate, given the flows' mean size so far.
            double meanPackets = (double) scriptedPackets / scriptedFlows;
            double gapSeconds = -Math.log(1 - random.nextDouble()) * meanPackets / options.packetsPerSecond();
            due.add(new Due(next.at() + Math.max(1, Math.round(gapSeconds * 1e6)), order++, null, false));
        }
    }

    private void enqueue(List<ScriptedPacket> packets) {
        List<ScriptedPacket> byClient = new ArrayList<>(packets);
        byClient.sort(Comparator.comparingLong(ScriptedPacket::clientMicros));
        clientQueue.add(new Cursor(byClient, false));
        if (twoSided) {
            List<ScriptedPacket> byServer = new ArrayList<>(packets.size());
            for (ScriptedPacket packet : packets) {
                if (packet.serverMicros() != FlowScript.LOST) {
                    byServer.add(packet);
                }
            }
            byServer.sort(Comparator.comparingLong(ScriptedPacket::serverMicros));
            if (!byServer.isEmpty()) {
                serverQueue.add(new Cursor(byServer, true));
            }
        }
    }

    private static long peek(PriorityQueue<Cursor> queue) {
        return queue.isEmpty() ? Long.MAX_VALUE : queue.peek().time();
    }

    private static void emit(PriorityQueue<Cursor> queue, PcapWriter out) throws IOException {
        Cursor cursor = queue.poll();
        ScriptedPacket packet = cursor.packets.get(cursor.next++);
        out.write(cursor.server ? packet.serverMicros() : packet.clientMicros(), packet.frame());
        if (cursor.next < cursor.packets.size()) {
            queue.add(cursor);
        }
    }
}
