package dev.wirewatch.processor.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.sensor.FileEventSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Replays the shared traces through the per-vantage connection state and compares every connection with Zeek's
 * own conn.log baseline: per 5-tuple, the multiset of (conn_state, history, orig_pkts, resp_pkts). Expected
 * values come only from the baseline files.
 */
class ConnStateMatchesZeekTest {

    private static Path traces() {
        Path folder = Path.of(System.getProperty("wirewatch.traces", "../../shared/traces"));
        assumeTrue(Files.isDirectory(folder), "shared traces not found at " + folder);
        return folder;
    }

    static List<ConnectionView> replay(Path capture) {
        ConversationTracker tracker = new ConversationTracker(ConnectionTimeouts.ZEEK_DEFAULTS);
        FileEventSource.readAll(capture, "zeek").stream().filter(PacketEvent.class::isInstance)
                .map(PacketEvent.class::cast).forEach(tracker::observe);
        return tracker.finishAll();
    }

    private static String key(String origIp, String origPort, String respIp, String respPort, String proto) {
        return proto + " " + origIp + ":" + origPort + " > " + respIp + ":" + respPort;
    }

    /** Per 5-tuple, the sorted list of what each connection on it looked like. */
    private static Map<String, List<String>> ours(List<ConnectionView> views, List<String> columns) {
        Map<String, List<String>> byTuple = new TreeMap<>();
        for (ConnectionView view : views) {
            String proto = view.protocol() == 6 ? "tcp" : view.protocol() == 17 ? "udp" : "icmp";
            List<String> values = new ArrayList<>();
            for (String column : columns) {
                values.add(switch (column) {
                    case "conn_state" -> view.connState();
                    case "history" -> view.history().isEmpty() ? "-" : view.history();
                    case "orig_pkts" -> String.valueOf(view.originatorPackets());
                    case "resp_pkts" -> String.valueOf(view.responderPackets());
                    default -> throw new IllegalArgumentException(column);
                });
            }
            byTuple.computeIfAbsent(key(view.originatorIp(), String.valueOf(view.originatorPort()), view.responderIp(),
                    String.valueOf(view.responderPort()), proto), k -> new ArrayList<>()).add(String.join(" ", values));
        }
        byTuple.values().forEach(list -> list.sort(null));
        return byTuple;
    }

    private static Map<String, List<String>> zeek(Path log, List<String> columns) {
        Map<String, List<String>> byTuple = new TreeMap<>();
        for (Map<String, String> row : ZeekBaselines.connLog(log)) {
            String parents = row.getOrDefault("tunnel_parents", "-");
            String proto = row.getOrDefault("proto", "tcp");
            if (!parents.equals("-") || proto.equals("icmp")) {
                continue; // inside a tunnel: the sensor does not decode tunnels
            }
            List<String> values = new ArrayList<>();
            for (String column : columns) {
                values.add(row.get(column));
            }
            byTuple.computeIfAbsent(key(row.get("id.orig_h"), row.get("id.orig_p"), row.get("id.resp_h"),
                    row.get("id.resp_p"), proto), k -> new ArrayList<>()).add(String.join(" ", values));
        }
        byTuple.values().forEach(list -> list.sort(null));
        return byTuple;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "zeek_pop3_REJ.pcap, zeek_pop3_REJ.conn.log",
        "zeek_modbus_p502_RSTO_RSTRH_keepalive.pcap, zeek_modbus_p502_RSTO_RSTRH_keepalive.conn.log",
        "zeek_teredo_SH_SHR_RSTRH.pcap, zeek_teredo_SH_SHR_RSTRH.conn.log",
        "zeek_tcp_missing-syn.pcap, zeek_tcp_missing-syn.conn.log",
        "zeek_tcp_retransmit-timeout.pcapng, zeek_tcp_retransmit-timeout.conn-all.log",
    })
    void everyConnectionHasZeeksConnStateHistoryAndPacketCounts(String capture, String baseline) {
        List<String> columns = List.of("conn_state", "history", "orig_pkts", "resp_pkts");
        Map<String, List<String>> expected = zeek(traces().resolve(baseline), columns);
        assertFalse(expected.isEmpty(), "baseline has rows");
        assertEquals(expected, ours(replay(traces().resolve(capture)), columns));
    }

    /**
     * This trace was captured headers-only; Zeek marks every acknowledged byte whose payload the snaplen cut off
     * as a content gap (G/g; its missed_bytes is the whole payload). A headers-only sensor never has payload, so
     * wirewatch keeps G for sequence space never seen at all; every other letter and the state must match.
     */
    @Test
    void retransmissionsAndAbortMatchZeekApartFromSnaplenGaps() {
        List<String> columns = List.of("conn_state", "history", "orig_pkts", "resp_pkts");
        Map<String, List<String>> expected = zeek(traces().resolve("zeek_tcp_retransmit-fast009.conn.log"), columns);
        Map<String, String> missed = ZeekBaselines.connLog(traces().resolve("zeek_tcp_retransmit-fast009.conn.log")).stream()
                .collect(java.util.stream.Collectors.toMap(row -> row.get("id.orig_p"), row -> row.get("missed_bytes")));
        assertEquals("24257", missed.get("50368"), "Zeek counted all 474 + 23783 payload bytes as missed");
        expected.replaceAll((tuple, rows) -> rows.stream().map(row -> row.replaceAll("[Gg]", "")).toList());
        assertEquals(expected, ours(replay(traces().resolve("zeek_tcp_retransmit-fast009.pcap")), columns));
    }

    /** The processor keeps views in a state store: a view restored from its bytes after every packet must end the same. */
    @Test
    void aViewStoredAndRestoredAfterEveryPacketEndsExactlyAsOneKeptInMemory() {
        for (String capture : List.of("zeek_modbus_p502_RSTO_RSTRH_keepalive.pcap", "zeek_tcp_retransmit-fast009.pcap")) {
            List<PacketEvent> packets = FileEventSource.readAll(traces().resolve(capture), "zeek").stream()
                    .filter(PacketEvent.class::isInstance).map(PacketEvent.class::cast).toList();
            Map<dev.wirewatch.schemas.FlowKey, ConnectionView> kept = new java.util.LinkedHashMap<>();
            Map<dev.wirewatch.schemas.FlowKey, byte[]> stored = new java.util.LinkedHashMap<>();
            for (PacketEvent packet : packets) {
                dev.wirewatch.schemas.FlowKey key = dev.wirewatch.schemas.FlowKey.of(packet);
                ConnectionView inMemory = kept.get(key);
                if (inMemory == null) {
                    kept.put(key, ConnectionView.start(packet));
                } else {
                    inMemory.observe(packet);
                }
                byte[] bytes = stored.get(key);
                ConnectionView restored;
                if (bytes == null) {
                    restored = ConnectionView.start(packet);
                } else {
                    restored = ConnectionView.fromBytes(bytes);
                    restored.observe(packet);
                }
                stored.put(key, restored.toBytes());
            }
            for (var entry : kept.entrySet()) {
                ConnectionView restored = ConnectionView.fromBytes(stored.get(entry.getKey()));
                assertEquals(entry.getValue().connState() + " " + entry.getValue().history(),
                        restored.connState() + " " + restored.history(), capture + " " + entry.getKey());
                assertEquals(java.util.Arrays.toString(entry.getValue().toBytes()), java.util.Arrays.toString(restored.toBytes()));
            }
        }
    }

    @Test
    void aCaptureOfTheServerSideOnlyIsFlippedLikeZeeksOneSidedBaseline() {
        List<String> columns = List.of("history", "orig_pkts", "resp_pkts");
        assertEquals(zeek(traces().resolve("zeek_tcp_one-sided-2745.conn.log"), columns),
                ours(replay(traces().resolve("zeek_tcp_one-sided-2745.pcap")), columns));
    }

    @Test
    void rstEdgeCasesGetZeeksHistoryAndConnStateInFileOrder() throws Exception {
        List<String> expected = Files.readAllLines(traces().resolve("zeek_tcp_RST-behavior.expected.txt")).stream()
                .filter(line -> !line.startsWith("#")).map(String::strip).toList();
        List<String> actual = new ArrayList<>();
        for (String capture : List.of("zeek_tcp_single-rst.pcap", "zeek_tcp_syn-then-rst.pcap",
                "zeek_tcp_syn-then-ack-then-rst.pcap", "zeek_tcp_syn-then-stuff-then-rst.pcap")) {
            for (ConnectionView view : replay(traces().resolve(capture))) {
                actual.add(view.history() + ", " + view.connState());
            }
        }
        assertEquals(expected, actual);
    }
}
