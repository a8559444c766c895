package dev.wirewatch.processor.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.wirewatch.processor.TestCaptures;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.sensor.FileEventSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Replays the public traces (one vantage each) through {@link ConversationTracker} with Zeek's default timeouts and
 * compares every connection with Zeek's own conn.log baseline: joined on (orig_h, orig_p, resp_h, resp_p, proto),
 * the multiset of (conn_state, history, orig_pkts, resp_pkts) per 5-tuple. Expected values come only from the
 * baseline files in deploy/traces.
 */
class ConnStateMatchesZeekTest {
    private static final List<String> CONN_COLUMNS = List.of("conn_state", "history", "orig_pkts", "resp_pkts");

    private static Path trace(String name) {
        return TestCaptures.trace(name);
    }

    private static List<ConnectionView> replay(String capture, ConnectionTimeouts timeouts) {
        List<PacketEvent> packets = FileEventSource.readAll(trace(capture), "zeek").stream()
                .filter(PacketEvent.class::isInstance).map(PacketEvent.class::cast).toList();
        return ConversationTracker.replay(packets, timeouts);
    }

    private static String tuple(String origIp, Object origPort, String respIp, Object respPort, String proto) {
        return proto + " " + origIp + ":" + origPort + " > " + respIp + ":" + respPort;
    }

    /** Per 5-tuple, the sorted values of {@code columns} for each of our connections on it. */
    private static Map<String, List<String>> ours(List<ConnectionView> views, List<String> columns) {
        Map<String, List<String>> byTuple = new TreeMap<>();
        for (ConnectionView view : views) {
            String proto = switch (view.protocol()) {
                case 6 -> "tcp";
                case 17 -> "udp";
                default -> "icmp";
            };
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
            byTuple.computeIfAbsent(tuple(view.originatorIp(), view.originatorPort(), view.responderIp(),
                    view.responderPort(), proto), k -> new ArrayList<>()).add(String.join(" ", values));
        }
        byTuple.values().forEach(list -> list.sort(null));
        return byTuple;
    }

    /** The same from a conn.log, without rows inside a tunnel (the sensor does not decapsulate tunnels). */
    private static Map<String, List<String>> zeek(String baseline, List<String> columns) {
        Map<String, List<String>> byTuple = new TreeMap<>();
        for (Map<String, String> row : ZeekBaselines.connLog(trace(baseline))) {
            if (!row.getOrDefault("tunnel_parents", "-").equals("-")) {
                continue;
            }
            List<String> values = new ArrayList<>();
            for (String column : columns) {
                values.add(row.get(column));
            }
            byTuple.computeIfAbsent(tuple(row.get("id.orig_h"), row.get("id.orig_p"), row.get("id.resp_h"),
                    row.get("id.resp_p"), row.getOrDefault("proto", "tcp")), k -> new ArrayList<>())
                    .add(String.join(" ", values));
        }
        byTuple.values().forEach(list -> list.sort(null));
        assertFalse(byTuple.isEmpty(), baseline + " has rows");
        return byTuple;
    }

    private static void assertMatchesZeek(String capture, String baseline, ConnectionTimeouts timeouts) {
        assertEquals(zeek(baseline, CONN_COLUMNS), ours(replay(capture, timeouts), CONN_COLUMNS),
                capture + " against " + baseline);
    }

    @Test
    void everyPop3RejectedAttemptIsRejWithHistorySrAndEverySessionSf() {
        assertMatchesZeek("zeek_pop3_REJ.pcap", "zeek_pop3_REJ.conn.log", ConnectionTimeouts.ZEEK_DEFAULTS);
    }

    @Test
    void port502ScannersGetRstoAndRstrhAndTheKeepAliveSessionStaysSf() {
        assertMatchesZeek("zeek_modbus_p502_RSTO_RSTRH_keepalive.pcap", "zeek_modbus_p502_RSTO_RSTRH_keepalive.conn.log",
                ConnectionTimeouts.ZEEK_DEFAULTS);
    }

    /** TCP and UDP outside the tunnel: SH, SHR and RSTRH from a capture that starts mid-teardown, ^ flips on 80 and 3544. */
    @Test
    void teredoCaptureStartingMidTeardownMatchesEveryTcpAndUdpConnection() {
        assertMatchesZeek("zeek_teredo_SH_SHR_RSTRH.pcap", "zeek_teredo_SH_SHR_RSTRH.conn.log",
                ConnectionTimeouts.ZEEK_DEFAULTS);
    }

    @Test
    void aMissingSynIsFlippedAtTheSynAckAndTheSessionClosesSf() {
        assertMatchesZeek("zeek_tcp_missing-syn.pcap", "zeek_tcp_missing-syn.conn.log", ConnectionTimeouts.ZEEK_DEFAULTS);
    }

    /** The baseline was cut to history and packet counts (zeek-cut), without conn_state. */
    @Test
    void aCaptureOfTheServerSideOnlyIsFlippedWithNoOriginatorPackets() {
        List<String> columns = List.of("history", "orig_pkts", "resp_pkts");
        assertEquals(zeek("zeek_tcp_one-sided-2745.conn.log", columns),
                ours(replay("zeek_tcp_one-sided-2745.pcap", ConnectionTimeouts.ZEEK_DEFAULTS), columns));
    }

    /**
     * conn-all.log is Zeek run with max_timer_expires=0, i.e. every timer fires when due, as with Zeek's defaults: the
     * 5-minute tcp_inactivity_timeout ends the connection exactly when the data is resent (last activity + 300 s), so
     * the resend is a second connection ({@code OTH Da}, then {@code OTH D}).
     */
    @Test
    void dataResentAtTheInactivityTimeoutStartsASecondConnection() {
        assertMatchesZeek("zeek_tcp_retransmit-timeout.pcapng", "zeek_tcp_retransmit-timeout.conn-all.log",
                ConnectionTimeouts.ZEEK_DEFAULTS);
    }

    /**
     * conn-limited.log is the same trace with the inactivity timer kept from firing (the btest floods the timer queue
     * beyond max_timer_expires), which a longer inactivity timeout reproduces: one connection, the resend a
     * retransmission ({@code OTH DaT}).
     */
    @Test
    void dataResentWithinALongerInactivityTimeoutIsARetransmission() {
        assertMatchesZeek("zeek_tcp_retransmit-timeout.pcapng", "zeek_tcp_retransmit-timeout.conn-limited.log",
                ConnectionTimeouts.ZEEK_DEFAULTS.withTcpInactivity(3_600_000_000L));
    }

    /**
     * This trace was captured headers-only (54-byte snap length). Zeek marks every acknowledged byte whose payload
     * the snap length cut off as a content gap (G/g; its missed_bytes equals orig_bytes + resp_bytes). PacketEvent
     * carries no captured length and a headers-only sensor never has payload, so wirewatch keeps G for sequence
     * space never seen at all; the state, every other letter (T, R, ...) and the packet counts must match.
     */
    @Test
    void retransmissionsAndTheOriginatorsAbortMatchZeekApartFromSnapLengthGaps() {
        String baseline = "zeek_tcp_retransmit-fast009.conn.log";
        for (Map<String, String> row : ZeekBaselines.connLog(trace(baseline))) {
            assertEquals(Long.parseLong(row.get("orig_bytes")) + Long.parseLong(row.get("resp_bytes")),
                    Long.parseLong(row.get("missed_bytes")), "Zeek's gaps are exactly the payload it did not capture");
        }
        Map<String, List<String>> expected = zeek(baseline, CONN_COLUMNS);
        Map<String, List<String>> withoutGaps = new TreeMap<>(expected);
        withoutGaps.replaceAll((tuple, rows) -> rows.stream().map(row -> row.replaceAll("[Gg]", "")).toList());
        assertNotEquals(expected, withoutGaps, "the baseline has the snap-length gaps this test discounts");
        assertEquals(withoutGaps, ours(replay("zeek_tcp_retransmit-fast009.pcap", ConnectionTimeouts.ZEEK_DEFAULTS),
                CONN_COLUMNS));
    }

    @Test
    void rstEdgeCasesGetZeeksHistoryAndConnStateInFileOrder() throws IOException {
        List<String> expected = Files.readAllLines(trace("zeek_tcp_RST-behavior.expected.txt")).stream()
                .filter(line -> !line.startsWith("#") && !line.isBlank()).map(String::strip).toList();
        List<String> actual = new ArrayList<>();
        for (String capture : List.of("zeek_tcp_single-rst.pcap", "zeek_tcp_syn-then-rst.pcap",
                "zeek_tcp_syn-then-ack-then-rst.pcap", "zeek_tcp_syn-then-stuff-then-rst.pcap")) {
            for (ConnectionView view : replay(capture, ConnectionTimeouts.ZEEK_DEFAULTS)) {
                actual.add(view.history() + ", " + view.connState());
            }
        }
        assertEquals(expected, actual);
    }

    /** conn.log's orig_bytes / resp_bytes (sequence space, set when the duration is positive) for full captures. */
    @Test
    void sequenceSpaceBytesMatchConnLogWhereZeekReportsThem() {
        List<String> columns = List.of("orig_bytes", "resp_bytes");
        for (String[] pair : new String[][] {{"zeek_pop3_REJ.pcap", "zeek_pop3_REJ.conn.log"},
                {"zeek_modbus_p502_RSTO_RSTRH_keepalive.pcap", "zeek_modbus_p502_RSTO_RSTRH_keepalive.conn.log"},
                {"zeek_tcp_missing-syn.pcap", "zeek_tcp_missing-syn.conn.log"}}) {
            Map<String, List<String>> expected = zeek(pair[1], columns);
            Map<String, List<String>> actual = new TreeMap<>();
            for (ConnectionView view : replay(pair[0], ConnectionTimeouts.ZEEK_DEFAULTS)) {
                boolean hasDuration = view.lastSeenMicros() > view.firstSeenMicros();
                actual.computeIfAbsent(tuple(view.originatorIp(), view.originatorPort(), view.responderIp(),
                        view.responderPort(), "tcp"), k -> new ArrayList<>())
                        .add(hasDuration ? view.originatorBytes() + " " + view.responderBytes() : "- -");
            }
            actual.values().forEach(list -> list.sort(null));
            assertEquals(expected, actual, pair[0]);
        }
    }
}
