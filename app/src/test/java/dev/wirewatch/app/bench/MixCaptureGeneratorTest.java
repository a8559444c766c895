package dev.wirewatch.app.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.FlowKey;
import dev.wirewatch.sensor.FileEventSource;
import dev.wirewatch.sensor.capture.CaptureFile;
import dev.wirewatch.sensor.capture.CapturedFrame;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mix is what its ground truth says, as tshark reads it: the same conversations and packet counts as our
 * decoder, nothing malformed, no TCP analysis complaint other than the anomalies made on purpose, and the two
 * vantages of the two-sided variant the same flows a path delay apart.
 */
class MixCaptureGeneratorTest {

    @BeforeAll
    static void needsTshark() {
        assertTrue(new File("/usr/bin/tshark").canExecute(), "needs tshark at /usr/bin/tshark (apt-get install tshark)");
    }

    @Test
    void oneSidedMixMatchesTsharkAndItsTruth(@TempDir Path temp) throws Exception {
        Path file = temp.resolve("mix.pcap");
        // 5,000 packets/s: ten seconds of capture time, so the default 5 s keep-alive interval comes round.
        MixTruth truth = MixCaptureGenerator.write(file, null,
                MixCaptureGenerator.Options.defaults(50_000, 11).withRate(5_000));
        assertTrue(truth.clientPackets() >= 50_000);
        assertEquals(0, truth.serverPackets());
        assertTrue(truth.keepAliveProbes() >= truth.keepAliveSessions(), "every idle session probed at least once");

        Map<String, Long> tcp = checkedConversations(file, truth.clientPackets());
        assertTruthMatches(file, truth, tcp, truth.unanswered());

        assertEquals(truth.keepAliveProbes(), count(file, "tcp.analysis.keep_alive"));
        assertEquals(truth.keepAliveProbes(), count(file, "tcp.analysis.keep_alive_ack"));
        long ipv6 = tcp.keySet().stream().filter(key -> key.startsWith("[")).count();
        double share = (double) ipv6 / tcp.size();
        assertTrue(share > 0.4 && share < 0.6, "IPv6 share of TCP conversations " + share);
        double flowShare = (double) truth.ipv6Flows() / truth.flows();
        assertTrue(flowShare > 0.4 && flowShare < 0.6, "IPv6 share of flows " + flowShare);

        // Keep-alive sessions are a fixed population (a few hundred per capture), the rest scales with size.
        long scaling = truth.clientPackets() - 3 * truth.keepAliveSessions() - 2 * truth.keepAliveProbes();
        double shortPerMillion = truth.shortFlows() * 1e6 / scaling;
        assertTrue(shortPerMillion >= 100_000, "short TCP flows per million packets: " + shortPerMillion);
        assertTrue(truth.bulk() >= 1 && truth.dnsExchanges() * 100 >= truth.flows() * 8, truth.table());
    }

    @Test
    void twoSidedMixIsTheSameFlowsSeenFromEachEnd(@TempDir Path temp) throws Exception {
        MixCaptureGenerator.Options options = MixCaptureGenerator.Options.defaults(50_000, 12)
                .withKeepAliveInterval(250_000);
        Path client = temp.resolve("client.pcap");
        Path server = temp.resolve("server.pcap");
        MixTruth truth = MixCaptureGenerator.write(client, server, options);
        Path alone = temp.resolve("alone.pcap");
        MixTruth aloneTruth = MixCaptureGenerator.write(alone, null, options);
        assertArrayEquals(Files.readAllBytes(alone), Files.readAllBytes(client), "one seed, one client capture");
        assertEquals(truth.clientPackets(), aloneTruth.clientPackets());
        assertTrue(truth.unansweredLostBeforeServer() > 0 && truth.unansweredDroppedAtServer() > 0, truth.table());
        assertEquals(truth.clientPackets() - 3 * truth.unansweredLostBeforeServer(), truth.serverPackets());

        Map<String, Long> atClient = checkedConversations(client, truth.clientPackets());
        Map<String, Long> atServer = checkedConversations(server, truth.serverPackets());
        assertTruthMatches(client, truth, atClient, truth.unanswered());
        assertTruthMatches(server, truth, atServer, truth.unansweredDroppedAtServer());
        assertTrue(truth.keepAliveProbes() >= 3 * truth.keepAliveSessions(), truth.table());
        assertEquals(truth.keepAliveProbes(), count(server, "tcp.analysis.keep_alive"));

        Map<String, Long> missing = new TreeMap<>(atClient);
        atServer.forEach((key, packets) -> assertEquals(missing.remove(key), packets, "packets of " + key));
        assertEquals(truth.unansweredLostBeforeServer(), missing.size(), "conversations the server never saw");
        assertTrue(missing.values().stream().allMatch(packets -> packets == 3), "each is three lost SYNs");

        assertEachPacketOneDelayApart(client, server);
    }

    /** Ours and tshark's per-conversation packet counts, TCP and UDP; nothing malformed; the TCP table. */
    private static Map<String, Long> checkedConversations(Path file, long packets) throws Exception {
        Map<String, Long> ourTcp = new TreeMap<>();
        Map<String, Long> ourUdp = new TreeMap<>();
        long decoded = 0;
        for (var record : FileEventSource.readAll(file, "h")) {
            PacketEvent packet = (PacketEvent) record;
            String a = Addresses.endpoint(Addresses.bytes(packet.getSrc()), packet.getSrcPort());
            String b = Addresses.endpoint(Addresses.bytes(packet.getDst()), packet.getDstPort());
            String key = a.compareTo(b) < 0 ? a + " " + b : b + " " + a;
            if (packet.getProtocol() == FlowKey.TCP) {
                ourTcp.merge(key, 1L, Long::sum);
            } else if (packet.getProtocol() == FlowKey.UDP) {
                ourUdp.merge(key, 1L, Long::sum);
            }
            decoded++;
        }
        assertEquals(packets, decoded, "every generated packet decodes as IP");
        Map<String, Long> tcp = tsharkConversations(file, "tcp");
        assertSameCounts(ourTcp, tcp, "per-conversation packet counts, ours vs tshark -z conv,tcp");
        assertSameCounts(ourUdp, tsharkConversations(file, "udp"), "per-conversation packet counts, ours vs tshark -z conv,udp");
        assertEquals("", tshark(file, "-Y", "_ws.malformed || _ws.expert.severity >= error"), "malformed or in error");
        return tcp;
    }

    /**
     * The truth's TCP kinds, read back from the flags of each conversation. {@code unanswered}: conversations of
     * three or more SYNs and nothing else (all of them at the client, those dropped by the server at the server).
     */
    private static void assertTruthMatches(Path file, MixTruth truth, Map<String, Long> tcp, long unanswered)
            throws Exception {
        long lost = truth.unanswered() - unanswered;
        assertEquals(truth.tcpFlows() - lost, tcp.size(), "TCP conversations\n" + truth.table());
        Map<String, List<int[]>> flags = new HashMap<>(); // per conversation: {flags, 1 if from the service port}
        for (String line : tshark(file, "-Y", "tcp", "-T", "fields", "-E", "separator=,", "-e", "ip.src", "-e",
                "ipv6.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport", "-e",
                "tcp.flags").lines().toList()) {
            String[] f = line.split(",", -1);
            String a = endpoint(f[0] + f[1], f[2]);
            String b = endpoint(f[3] + f[4], f[5]);
            int srcPort = Integer.parseInt(f[2]);
            flags.computeIfAbsent(a.compareTo(b) < 0 ? a + " " + b : b + " " + a, k -> new ArrayList<>())
                    .add(new int[] {Integer.decode(f[6]), srcPort < 32_768 ? 1 : 0});
        }
        assertEquals(tcp.keySet(), new TreeSet<>(flags.keySet()));
        long synOnly = 0;
        long refused = 0;
        long fin = 0;
        long clientReset = 0;
        long serverReset = 0;
        for (List<int[]> packets : flags.values()) {
            boolean established = packets.stream().anyMatch(p -> p[0] == 0x12);
            if (packets.size() >= 3 && packets.stream().allMatch(p -> p[0] == 0x02)) {
                synOnly++;
            }
            if (!established && packets.stream().anyMatch(p -> p[0] == 0x14)) {
                refused++;
            }
            if (packets.stream().anyMatch(p -> (p[0] & 0x01) != 0)) {
                fin++;
            }
            if (established && packets.stream().anyMatch(p -> (p[0] & 0x04) != 0 && p[1] == 0)) {
                clientReset++;
            }
            if (established && packets.stream().anyMatch(p -> (p[0] & 0x04) != 0 && p[1] == 1)) {
                serverReset++;
            }
        }
        assertEquals(unanswered, synOnly, "SYN-only conversations with 3 or more SYNs");
        assertEquals(unanswered, count(file, "tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.analysis.retransmission") / 2);
        assertEquals(truth.refused(), refused, "SYNs answered by RST|ACK");
        assertEquals(truth.shortFin() + truth.bulk(), fin, "conversations closed by FIN");
        assertEquals(truth.shortRst(), clientReset, "established conversations the client reset");
        assertEquals(truth.midStreamReset(), serverReset, "established conversations the server reset");
        // Sequence and ACK numbers: tshark finds nothing wrong but the anomalies and probes made on purpose.
        assertEquals("", tshark(file, "-Y", "tcp.analysis.flags && !tcp.analysis.keep_alive && !tcp.analysis.keep_alive_ack"
                + " && !(tcp.analysis.retransmission && tcp.flags.syn==1) && !tcp.analysis.reused_ports"));
    }

    /** Every server-side packet is a client-side one, a flow's one-way delay (150–400 µs, plus jitter) apart. */
    private static void assertEachPacketOneDelayApart(Path client, Path server) {
        Map<ByteBuffer, ArrayDeque<Long>> clientTimes = new HashMap<>();
        long previous = 0;
        try (CaptureFile capture = CaptureFile.open(client)) {
            CapturedFrame frame;
            while ((frame = capture.next()) != null) {
                assertTrue(frame.tsMicros() >= previous, "client capture in time order");
                previous = frame.tsMicros();
                clientTimes.computeIfAbsent(ByteBuffer.wrap(frame.data()), k -> new ArrayDeque<>()).add(frame.tsMicros());
            }
        }
        previous = 0;
        long matched = 0;
        try (CaptureFile capture = CaptureFile.open(server)) {
            CapturedFrame frame;
            while ((frame = capture.next()) != null) {
                assertTrue(frame.tsMicros() >= previous, "server capture in time order");
                previous = frame.tsMicros();
                ArrayDeque<Long> times = clientTimes.get(ByteBuffer.wrap(frame.data()));
                assertTrue(times != null && !times.isEmpty(), "a server-side packet the client side lacks");
                boolean fromClient = frame.data()[11] == 2; // source MAC of the client side
                long delay = (frame.tsMicros() - times.poll()) * (fromClient ? 1 : -1);
                assertTrue(delay >= 150 && delay <= 400 + FlowScript.MAX_JITTER_MICROS, "one-way delay " + delay);
                matched++;
            }
        }
        assertTrue(matched > 40_000);
    }

    /** Equal maps, or a failure naming the first few conversations that differ (not the whole table). */
    private static void assertSameCounts(Map<String, Long> ours, Map<String, Long> theirs, String what) {
        List<String> differences = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(ours.keySet());
        keys.addAll(theirs.keySet());
        for (String key : keys) {
            if (!java.util.Objects.equals(ours.get(key), theirs.get(key)) && differences.size() < 10) {
                differences.add(key + ": ours " + ours.get(key) + ", tshark " + theirs.get(key));
            }
        }
        assertEquals(List.of(), differences, what + " (" + ours.size() + " vs " + theirs.size() + " conversations)");
    }

    private static Map<String, Long> tsharkConversations(Path file, String protocol) throws Exception {
        Map<String, Long> conversations = new TreeMap<>();
        for (String line : tshark(file, "-q", "-z", "conv," + protocol).lines().toList()) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length > 9 && fields[1].equals("<->")) {
                String a = endpoint(fields[0]);
                String b = endpoint(fields[2]);
                // after the pair: frames and bytes (number and unit) one way, the same the other way, total frames
                conversations.put(a.compareTo(b) < 0 ? a + " " + b : b + " " + a,
                        Long.parseLong(fields[9].replace(",", "")));
            }
        }
        return conversations;
    }

    /** tshark's "2001:db8::1:443" as Addresses writes it, "[2001:db8::1]:443". */
    private static String endpoint(String tshark) {
        int colon = tshark.lastIndexOf(':');
        return endpoint(tshark.substring(0, colon), tshark.substring(colon + 1));
    }

    private static String endpoint(String address, String port) {
        return address.contains(":") ? "[" + address + "]:" + port : address + ":" + port;
    }

    private static long count(Path file, String filter) throws Exception {
        return tshark(file, "-Y", filter, "-T", "fields", "-e", "frame.number").lines().count();
    }

    private static String tshark(Path file, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("/usr/bin/tshark", "-n", "-r", file.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), "tshark " + String.join(" ", args));
        return output;
    }
}
