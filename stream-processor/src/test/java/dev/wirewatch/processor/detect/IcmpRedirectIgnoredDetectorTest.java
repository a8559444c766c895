package dev.wirewatch.processor.detect;

import static dev.wirewatch.processor.Packets.ACK;
import static dev.wirewatch.processor.Packets.PSH;
import static dev.wirewatch.processor.Packets.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wirewatch.processor.Packets;
import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.IcmpHeader;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.QuotedHeader;
import dev.wirewatch.record.Severity;
import dev.wirewatch.schemas.Addresses;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ICMP_REDIRECT_IGNORED on a crafted TCP upload from the host's own vantage: the grace, following, and TCP loss. */
class IcmpRedirectIgnoredDetectorTest {
    private static final long T0 = 1_700_000_000_000_000L;
    private static final long S = 1_000_000;
    private static final String HOST = "10.8.0.10";
    private static final String SERVER = "10.9.0.20";
    private static final String R1_MAC = "020000000801";
    private static final String R2_MAC = "020000000802";
    private static final String TOPOLOGY = """
            hosts:
              host: {interfaces: {eth0: {addresses: [10.8.0.10/24], mac: "02:00:00:00:08:10"}}}
            """;

    private static ByteBuffer mac(String hex) {
        return ByteBuffer.wrap(HexFormat.of().parseHex(hex));
    }

    private static PacketEvent out(long ts, int flags, long seq, int payload, String viaMac) {
        PacketEvent packet = Packets.tcp("host", ts, HOST, 40000, SERVER, 80, flags, seq, 1, payload);
        packet.setDstMac(mac(viaMac));
        return packet;
    }

    private static PacketEvent in(long ts, int flags, long seq, long ack) {
        return Packets.tcp("host", ts, SERVER, 80, HOST, 40000, flags, seq, ack, 0);
    }

    private static PacketEvent redirect(long ts) {
        PacketEvent packet = PacketEvent.newBuilder().setHost("host").setIface("eth0").setTsMicros(ts)
                .setSrcMac(mac(R1_MAC)).setDstMac(mac("020000000810")).setIpVersion(4)
                .setSrc(ByteBuffer.wrap(Addresses.parse("10.8.0.1"))).setDst(ByteBuffer.wrap(Addresses.parse(HOST)))
                .setProtocol(1).setTtl(64).setIpLength(56).setTcp(null)
                .setIcmp(IcmpHeader.newBuilder().setType(5).setCode(1).setIdentifier(null)
                        .setGateway(ByteBuffer.wrap(Addresses.parse("10.8.0.2"))).setRedirectDestination(null)
                        .setQuoted(QuotedHeader.newBuilder().setSrc(ByteBuffer.wrap(Addresses.parse(HOST)))
                                .setDst(ByteBuffer.wrap(Addresses.parse(SERVER))).setProtocol(6).setSrcPort(40000)
                                .setDstPort(80).setSeq(null).build()).build())
                .build();
        return packet;
    }

    /** A handshake and a first segment through r1, and r1's redirect about it. */
    private static void handshakeAndFirstRedirect(ProcessorDriver driver) {
        driver.send(out(T0, SYN, 1000, 0, R1_MAC));
        driver.send(in(T0 + 1000, SYN | ACK, 5000, 1001));
        driver.send(out(T0 + 2000, ACK, 1001, 0, R1_MAC));
        driver.send(out(T0 + 3000, PSH | ACK, 1001, 100, R1_MAC));
        driver.send(redirect(T0 + 3100));
    }

    /**
     * A handshake through r1, r1's redirect, then a segment every 200 ms through {@code afterGrace}'s MAC once the
     * grace after the second redirect has passed (r1 redirects each of the first three segments it forwards).
     */
    private static List<Alert> upload(String withinGrace, String afterGrace, boolean retransmit) {
        try (ProcessorDriver driver = new ProcessorDriver(ProcessorDriver.topology(TOPOLOGY), ProcessorConfig.DEFAULTS)) {
            handshakeAndFirstRedirect(driver);
            long seq = 1101;
            int redirected = 1;
            for (long ts = T0 + S / 5; ts < T0 + 10 * S; ts += S / 5) {
                boolean inGrace = ts < T0 + S / 5 + ProcessorConfig.DEFAULTS.redirectGraceMicros();
                driver.send(out(ts, PSH | ACK, seq, 100, inGrace ? withinGrace : afterGrace));
                if (inGrace && redirected++ < 3) {
                    driver.send(redirect(ts + 100));
                }
                if (retransmit && ts == T0 + 3 * S) {
                    driver.send(out(ts + 300_000 / 3, PSH | ACK, seq, 100, afterGrace)); // the same segment again
                }
                driver.send(in(ts + 500, ACK, 5001, seq + 100));
                seq += 100;
            }
            driver.tick(T0, T0 + 20 * S, "host");
            driver.endOfInput(T0 + 21 * S, "host");
            return driver.alerts().stream().filter(alert -> alert.getType().equals(IcmpRedirectIgnoredDetector.TYPE))
                    .toList();
        }
    }

    @Test
    void aHostThatKeepsSendingThroughTheRouterIsReported() {
        List<Alert> alerts = upload(R1_MAC, R1_MAC, false);
        assertEquals(1, alerts.size());
        assertEquals("host", alerts.get(0).getHost());
        assertEquals(SERVER, alerts.get(0).getDstIp());
        assertEquals("10.8.0.1", alerts.get(0).getGateway());
        assertEquals("10.8.0.2", alerts.get(0).getSuggestedGateway());
        assertEquals(false, alerts.get(0).getLoss());
        assertEquals(Severity.warning, alerts.get(0).getSeverity());
    }

    @Test
    void aRetransmissionAfterTheRedirectIsLoss() {
        List<Alert> alerts = upload(R1_MAC, R1_MAC, true);
        assertEquals(1, alerts.size());
        assertEquals(true, alerts.get(0).getLoss());
        assertEquals(Severity.critical, alerts.get(0).getSeverity());
    }

    /** Packets already on their way during the grace do not count; afterwards everything goes to r2. */
    @Test
    void aHostThatFollowsTheRedirectAfterTheGraceIsSilent() {
        assertEquals(List.of(), upload(R1_MAC, R2_MAC, false));
    }

    /** One segment through {@code viaMac} {@code pause} after the redirect; ticks until {@code tickUntil}, no end. */
    private static List<Alert> resumedAfter(long pause, String viaMac, long tickUntil) {
        try (ProcessorDriver driver = new ProcessorDriver(ProcessorDriver.topology(TOPOLOGY), ProcessorConfig.DEFAULTS)) {
            handshakeAndFirstRedirect(driver);
            driver.send(in(T0 + 4000, ACK, 5001, 1101));
            driver.send(out(T0 + 300_000, ACK, 1101, 0, R1_MAC)); // a window update, redirected again
            driver.send(redirect(T0 + 300_100));
            driver.tickEvery(10 * S, T0, T0 + pause - S, "host");
            driver.send(out(T0 + pause, PSH | ACK, 1101, 100, viaMac));
            driver.send(in(T0 + pause + 500, ACK, 5001, 1201));
            driver.tick(T0 + pause, tickUntil, "host");
            return driver.alerts().stream().filter(alert -> alert.getType().equals(IcmpRedirectIgnoredDetector.TYPE))
                    .toList();
        }
    }

    /** Linux keeps a learned redirect for 5 minutes: a host that ignored it shows so whenever it sends again. */
    @Test
    void aPacketThroughTheRouterTwoMinutesAfterTheRedirectIsReportedSecondsLater() {
        long pause = 120 * S;
        List<Alert> alerts = resumedAfter(pause, R1_MAC, T0 + pause + 8 * S);
        assertEquals(1, alerts.size(), "alerted within 8 s of the packet, without waiting for the window or the end");
        assertEquals(T0 + pause, alerts.get(0).getLastSeenMicros());
        assertEquals(1, alerts.get(0).getCount());
    }

    @Test
    void aPacketThroughTheNewRouterTwoMinutesLaterIsSilent() {
        assertEquals(List.of(), resumedAfter(120 * S, R2_MAC, T0 + 400 * S));
    }

    @Test
    void aPacketThroughTheRouterAfterTheWindowIsNotBlamedOnTheRedirect() {
        long pause = ProcessorConfig.DEFAULTS.redirectObserveWindowMicros() + 10 * S;
        assertEquals(List.of(), resumedAfter(pause, R1_MAC, T0 + pause + 30 * S));
    }

    /**
     * Linux drops a redirect to a next hop it has not resolved yet, and resolves it: a host that follows redirects
     * sends once more through the router, gets a second redirect, and follows. Not an ignored redirect.
     */
    @Test
    void aHostThatFollowsTheSecondRedirectIsSilent() {
        assertEquals(List.of(), followsTheSecondRedirect(false));
    }

    /** The router's own sensor sees the same redirects: a copy of the first is not a second redirect. */
    @Test
    void aRedirectSeenByTheRoutersSensorTooIsStillOneRedirect() {
        assertEquals(List.of(), followsTheSecondRedirect(true));
    }

    private static List<Alert> followsTheSecondRedirect(boolean routerSensor) {
        try (ProcessorDriver driver = new ProcessorDriver(ProcessorDriver.topology(TOPOLOGY), ProcessorConfig.DEFAULTS)) {
            handshakeAndFirstRedirect(driver);
            if (routerSensor) {
                PacketEvent copy = redirect(T0 + 3090);
                copy.setHost("r1");
                driver.send(copy);
            }
            driver.send(in(T0 + 4000, ACK, 5001, 1101));
            driver.tickEvery(10 * S, T0, T0 + 119 * S, "host");
            driver.send(out(T0 + 120 * S, PSH | ACK, 1101, 100, R1_MAC)); // two minutes later, still via r1
            driver.send(redirect(T0 + 120 * S + 100));
            driver.send(in(T0 + 120 * S + 500, ACK, 5001, 1201));
            driver.send(out(T0 + 240 * S, PSH | ACK, 1201, 100, R2_MAC)); // now via r2
            driver.send(in(T0 + 240 * S + 500, ACK, 5001, 1301));
            driver.tickEvery(10 * S, T0 + 120 * S, T0 + 700 * S, "host");
            return driver.alerts().stream()
                    .filter(alert -> alert.getType().equals(IcmpRedirectIgnoredDetector.TYPE)).toList();
        }
    }
}
