package dev.wirewatch.app.bench;

import static dev.wirewatch.schemas.TcpFlags.ACK;
import static dev.wirewatch.schemas.TcpFlags.FIN;
import static dev.wirewatch.schemas.TcpFlags.PSH;
import static dev.wirewatch.schemas.TcpFlags.SYN;

import dev.wirewatch.schemas.FlowKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes a classic pcap of bulk TCP traffic for benchmarks: many concurrent uploads, each a handshake, 1448-byte
 * segments with correct sequence numbers, a delayed ACK every second segment, a retransmission now and then, and
 * a FIN exchange; Ethernet + IPv4 + TCP with the timestamp option, captured headers only (snaplen 128), as a
 * sensor sees it. Deterministic for a seed. The traffic is what --mode control summarises; real captures of the
 * same shape are in deploy/captures.
 */
public final class BulkCaptureGenerator {
    private static final int SEGMENT = 1448;

    /** One upload in progress. */
    private static final class Flow {
        final byte[] client;
        final byte[] server;
        final int clientPort;
        final int serverPort;
        final long clientIsn;
        final long serverIsn;
        final int segments;
        int step;
        long sent;
        long tsVal;

        Flow(byte[] client, byte[] server, int clientPort, int serverPort, long clientIsn, long serverIsn, int segments) {
            this.client = client;
            this.server = server;
            this.clientPort = clientPort;
            this.serverPort = serverPort;
            this.clientIsn = clientIsn;
            this.serverIsn = serverIsn;
            this.segments = segments;
        }
    }

    private final Random random;
    private long micros = 1_700_000_000_000_000L;
    private int nextFlow;

    private BulkCaptureGenerator(long seed) {
        this.random = new Random(seed);
    }

    /** Writes at least {@code packets} packets (the last flows are finished) with {@code concurrentFlows} uploads at a time. */
    public static long write(Path file, long packets, int concurrentFlows, long seed) throws IOException {
        BulkCaptureGenerator generator = new BulkCaptureGenerator(seed);
        try (PcapWriter out = new PcapWriter(file)) {
            Flow[] flows = new Flow[concurrentFlows];
            for (int i = 0; i < flows.length; i++) {
                flows[i] = generator.newFlow();
            }
            int live = flows.length;
            while (live > 0) {
                for (int i = 0; i < flows.length; i++) {
                    if (flows[i] == null) {
                        continue;
                    }
                    if (!generator.advance(out, flows[i])) {
                        flows[i] = out.packets() < packets ? generator.newFlow() : null;
                        live -= flows[i] == null ? 1 : 0;
                    }
                }
            }
            return out.packets();
        }
    }

    private Flow newFlow() {
        int n = nextFlow++;
        byte[] client = {10, 1, (byte) (n >> 8), (byte) n};
        byte[] server = {10, 2, 0, (byte) (1 + n % 50)};
        return new Flow(client, server, 20_000 + n % 40_000, 443, random.nextInt() & 0xffffffffL,
                random.nextInt() & 0xffffffffL, 2_000 + random.nextInt(8_000));
    }

    /** Writes the flow's next packet(s); false once it is finished. */
    private boolean advance(PcapWriter out, Flow flow) throws IOException {
        long clientSeq = flow.clientIsn + 1 + flow.sent * SEGMENT;
        long serverSeq = flow.serverIsn + 1;
        switch (flow.step) {
            case 0 -> packet(out, flow, true, flow.clientIsn, 0, SYN, 0);
            case 1 -> packet(out, flow, false, flow.serverIsn, flow.clientIsn + 1, SYN | ACK, 0);
            case 2 -> packet(out, flow, true, flow.clientIsn + 1, serverSeq, ACK, 0);
            default -> {
                if (flow.sent < flow.segments) {
                    packet(out, flow, true, clientSeq, serverSeq, ACK | PSH, SEGMENT);
                    flow.sent++;
                    if (random.nextInt(1000) == 0) { // a retransmission of the segment just sent
                        packet(out, flow, true, clientSeq, serverSeq, ACK | PSH, SEGMENT);
                    }
                    if (flow.sent % 2 == 0) {
                        packet(out, flow, false, serverSeq, flow.clientIsn + 1 + flow.sent * SEGMENT, ACK, 0);
                    }
                    return true;
                }
                long end = flow.clientIsn + 1 + flow.sent * SEGMENT;
                packet(out, flow, true, end, serverSeq, FIN | ACK, 0);
                packet(out, flow, false, serverSeq, end + 1, FIN | ACK, 0);
                packet(out, flow, true, end + 1, serverSeq + 1, ACK, 0);
                return false;
            }
        }
        flow.step++;
        return true;
    }

    private void packet(PcapWriter out, Flow flow, boolean fromClient, long seq, long ack, int flags, int payload)
            throws IOException {
        micros += 2 + random.nextInt(6);
        flow.tsVal++;
        byte[] tcp = Frames.tcp(fromClient ? flow.clientPort : flow.serverPort,
                fromClient ? flow.serverPort : flow.clientPort, seq, ack, flags, 502,
                Frames.timestampOptions(flow.tsVal, flow.tsVal));
        out.write(micros, Frames.ip(fromClient ? flow.client : flow.server, fromClient ? flow.server : flow.client,
                fromClient, FlowKey.TCP, (int) out.packets(), tcp, payload));
    }
}
