package dev.wirewatch.processor.flow;

import static dev.wirewatch.processor.Packets.ACK;
import static dev.wirewatch.processor.Packets.FIN;
import static dev.wirewatch.processor.Packets.PSH;
import static dev.wirewatch.processor.Packets.RST;
import static dev.wirewatch.processor.Packets.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.Packets;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.schemas.Addresses;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Zeek's classification of one vantage's view, on hand-made packets between a client and a server. */
class ConnectionViewTest {
    private static final String CLIENT = "10.0.0.1";
    private static final String SERVER = "10.0.0.2";
    private static final int CLIENT_PORT = 40000;
    private static final int SERVER_PORT = 5555; // not one of Zeek's likely server ports
    private static final long T0 = 1_700_000_000_000_000L;
    private static final long CLIENT_ISN = 1000;
    private static final long SERVER_ISN = 9000;
    private static final ConnectionTimeouts ZEEK = ConnectionTimeouts.ZEEK_DEFAULTS;

    private static PacketEvent fromClient(long offsetMicros, int flags, long seq, long ack, int payload) {
        return Packets.tcp("h", T0 + offsetMicros, CLIENT, CLIENT_PORT, SERVER, SERVER_PORT, flags, seq, ack, payload);
    }

    private static PacketEvent fromServer(long offsetMicros, int flags, long seq, long ack, int payload) {
        return Packets.tcp("h", T0 + offsetMicros, SERVER, SERVER_PORT, CLIENT, CLIENT_PORT, flags, seq, ack, payload);
    }

    private static PacketEvent udp(long offsetMicros, String src, int srcPort, String dst, int dstPort, int payload) {
        return PacketEvent.newBuilder(Packets.tcp("h", T0 + offsetMicros, src, srcPort, dst, dstPort, 0, 0, 0, 0))
                .setProtocol(17).setTcp(null).setIpLength(20 + 8 + payload).build();
    }

    private static ConnectionView replay(List<PacketEvent> packets) {
        ConnectionView view = ConnectionView.start(packets.get(0));
        packets.subList(1, packets.size()).forEach(view::observe);
        return view;
    }

    /** SYN, SYN-ACK, ACK, 100 bytes each way, FIN exchange. */
    private static List<PacketEvent> normalSession() {
        return List.of(
                fromClient(0, SYN, CLIENT_ISN, 0, 0),
                fromServer(1_500, SYN | ACK, SERVER_ISN, CLIENT_ISN + 1, 0),
                fromClient(1_600, ACK, CLIENT_ISN + 1, SERVER_ISN + 1, 0),
                fromClient(2_000, PSH | ACK, CLIENT_ISN + 1, SERVER_ISN + 1, 100),
                fromServer(3_000, PSH | ACK, SERVER_ISN + 1, CLIENT_ISN + 101, 200),
                fromClient(4_000, FIN | ACK, CLIENT_ISN + 101, SERVER_ISN + 201, 0),
                fromServer(5_000, FIN | ACK, SERVER_ISN + 201, CLIENT_ISN + 102, 0),
                fromClient(6_000, ACK, CLIENT_ISN + 102, SERVER_ISN + 202, 0));
    }

    @Test
    void handshakeDataAndFinExchangeIsSfWithSequenceSpaceBytes() {
        ConnectionView view = replay(normalSession());
        assertEquals("SF", view.connState());
        assertEquals("ShADdFf", view.history());
        assertEquals(CLIENT, view.originatorIp());
        assertEquals(SERVER_PORT, view.responderPort());
        assertArrayEquals(Addresses.parse(SERVER), view.responderAddress());
        assertEquals(5, view.originatorPackets());
        assertEquals(3, view.responderPackets());
        assertEquals(100, view.originatorBytes());
        assertEquals(200, view.responderBytes());
        assertEquals(T0, view.firstSeenMicros());
        assertEquals(T0 + 6_000, view.lastSeenMicros());
        assertTrue(view.closed());
        assertFalse(view.reset());
    }

    @Test
    void handshakeRttIsFromTheFirstSynToTheFirstSynAck() {
        ConnectionView view = replay(normalSession());
        assertEquals(1_500L, view.handshakeRttMicros());
        assertTrue(view.sawSynAck());
        assertFalse(view.originatorSentOnlySyns(), "the client went on to ACK");
        assertNull(ConnectionView.start(fromClient(0, SYN, CLIENT_ISN, 0, 0)).handshakeRttMicros());
    }

    @Test
    void unansweredSynRetransmissionsAreOneS0ConnectionCountingEverySyn() {
        ConnectionView view = replay(List.of(fromClient(0, SYN, CLIENT_ISN, 0, 0),
                fromClient(1_000_000, SYN, CLIENT_ISN, 0, 0), fromClient(3_000_000, SYN, CLIENT_ISN, 0, 0)));
        assertEquals("S0", view.connState());
        assertEquals("S", view.history(), "a SYN with the same sequence number is not a new letter");
        assertEquals(3, view.synCount());
        assertEquals(T0, view.firstSynMicros());
        assertEquals(T0 + 3_000_000, view.lastSynMicros());
        assertTrue(view.originatorSentOnlySyns());
        assertFalse(view.sawSynAck());
        assertFalse(view.sawRstFromResponder());
        assertFalse(view.closed());
    }

    @Test
    void synAnsweredByRstAckIsRejWithHistorySr() {
        ConnectionView view = replay(List.of(fromClient(0, SYN, CLIENT_ISN, 0, 0),
                fromServer(100, RST | ACK, 0, CLIENT_ISN + 1, 0)));
        assertEquals("REJ", view.connState());
        assertEquals("Sr", view.history());
        assertTrue(view.sawRstFromResponder());
        assertTrue(view.reset());
        assertTrue(view.closed());
        assertTrue(view.originatorSentOnlySyns());
    }

    @Test
    void synThenRstFromTheOriginatorIsRstos0() {
        ConnectionView view = replay(List.of(fromClient(0, SYN, CLIENT_ISN, 0, 0), fromClient(100, RST, CLIENT_ISN + 1, 0, 0)));
        assertEquals("RSTOS0", view.connState());
        assertEquals("SR", view.history());
    }

    @Test
    void establishedThenResetIsRstoOrRstrByWhoReset() {
        List<PacketEvent> established = normalSession().subList(0, 4);
        ConnectionView byClient = replay(established);
        byClient.observe(fromClient(10_000, RST | ACK, CLIENT_ISN + 101, SERVER_ISN + 1, 0));
        assertEquals("RSTO", byClient.connState());
        assertEquals("ShADR", byClient.history());

        ConnectionView byServer = replay(established);
        byServer.observe(fromServer(10_000, RST, SERVER_ISN + 1, 0, 0));
        assertEquals("RSTR", byServer.connState());
        assertEquals("ShADr", byServer.history());
    }

    @Test
    void establishedAndOpenIsS1AndAHalfCloseIsS2OrS3() {
        List<PacketEvent> session = normalSession();
        assertEquals("S1", replay(session.subList(0, 5)).connState());
        assertEquals("S2", replay(session.subList(0, 6)).connState());
        ConnectionView serverCloses = replay(session.subList(0, 5));
        serverCloses.observe(fromServer(5_000, FIN | ACK, SERVER_ISN + 201, CLIENT_ISN + 101, 0));
        assertEquals("S3", serverCloses.connState());
    }

    @Test
    void retransmittedDataAddsTAtTheFirstAndTenthOccurrence() {
        List<PacketEvent> established = normalSession().subList(0, 4);
        ConnectionView view = replay(established);
        for (int i = 1; i <= 10; i++) {
            view.observe(fromClient(2_000 + i * 200_000L, PSH | ACK, CLIENT_ISN + 1, SERVER_ISN + 1, 100));
        }
        assertEquals("ShADTT", view.history());
    }

    @Test
    void zeroWindowAddsW() {
        ConnectionView view = replay(normalSession().subList(0, 4));
        PacketEvent full = fromServer(3_000, ACK, SERVER_ISN + 1, CLIENT_ISN + 101, 0);
        full.getTcp().setWindow(0);
        view.observe(full);
        assertEquals("ShADaw", view.history());
    }

    @Test
    void aFirstSynAckIsFlippedOnlyWhenTheNextAckArrives() {
        ConnectionView view = ConnectionView.start(fromServer(0, SYN | ACK, SERVER_ISN, CLIENT_ISN + 1, 0));
        assertEquals("H", view.history(), "a lone SYN-ACK may be a stealth scan: its sender stays the originator");
        assertEquals(SERVER, view.originatorIp());
        assertEquals("OTH", view.connState());

        view.observe(fromClient(100, ACK, CLIENT_ISN + 1, SERVER_ISN + 1, 0));
        assertEquals("^hA", view.history());
        assertEquals(CLIENT, view.originatorIp());
        assertEquals(CLIENT_PORT, view.originatorPort());
        assertEquals(1, view.originatorPackets());
        assertEquals(1, view.responderPackets());
        assertTrue(view.sawSynAck());
    }

    @Test
    void aFirstSynAckFromALikelyServerPortIsFlippedAtOnce() {
        ConnectionView view = ConnectionView.start(Packets.tcp("h", T0, SERVER, 80, CLIENT, CLIENT_PORT, SYN | ACK,
                SERVER_ISN, CLIENT_ISN + 1, 0));
        assertEquals("^h", view.history());
        assertEquals(CLIENT, view.originatorIp());
        assertEquals(0, view.originatorPackets());
        assertEquals(1, view.responderPackets());
    }

    @Test
    void midstreamDataFromALikelyServerPortIsFlippedAndOth() {
        ConnectionView view = ConnectionView.start(Packets.tcp("h", T0, SERVER, 443, CLIENT, CLIENT_PORT, PSH | ACK,
                SERVER_ISN, CLIENT_ISN, 100));
        assertEquals("^d", view.history());
        assertEquals(443, view.responderPort());
        assertEquals("OTH", view.connState());
        assertEquals(0, view.synCount());
        assertFalse(view.originatorSentOnlySyns());
    }

    @Test
    void udpRolesFollowLikelyServerPortsExceptTowardsBroadcast() {
        ConnectionView teredo = ConnectionView.start(udp(0, SERVER, 3544, CLIENT, CLIENT_PORT, 50));
        assertEquals("^d", teredo.history());
        assertEquals("SHR", teredo.connState());
        teredo.observe(udp(1_000, CLIENT, CLIENT_PORT, SERVER, 3544, 20));
        assertEquals("^dD", teredo.history());
        assertEquals("SF", teredo.connState());
        assertEquals(20, teredo.originatorBytes());
        assertEquals(50, teredo.responderBytes());

        ConnectionView dhcpOffer = ConnectionView.start(udp(0, SERVER, 67, "255.255.255.255", 68, 300));
        assertEquals("D", dhcpOffer.history());
        assertEquals("S0", dhcpOffer.connState());
    }

    @Test
    void aNewSynStartsANewConnectionOnlyAfterCloseOrWithANewSequenceNumber() {
        ConnectionView attempt = ConnectionView.start(fromClient(0, SYN, CLIENT_ISN, 0, 0));
        assertFalse(attempt.startsNewConnection(fromClient(1_000_000, SYN, CLIENT_ISN, 0, 0)), "a retransmission");
        assertTrue(attempt.startsNewConnection(fromClient(1_000_000, SYN, CLIENT_ISN + 777, 0, 0)), "a new ISN");
        assertFalse(attempt.startsNewConnection(fromClient(1_000_000, ACK, CLIENT_ISN + 1, 0, 0)), "not a SYN");

        ConnectionView finished = replay(normalSession());
        assertTrue(finished.startsNewConnection(fromClient(10_000, SYN, CLIENT_ISN, 0, 0)), "after a close, any SYN");

        ConnectionView rejected = replay(List.of(fromClient(0, SYN, CLIENT_ISN, 0, 0),
                fromServer(100, RST | ACK, 0, CLIENT_ISN + 1, 0)));
        assertTrue(rejected.startsNewConnection(fromClient(1_000_000, SYN, CLIENT_ISN, 0, 0)),
                "a retried SYN after a RST, even with the same ISN");
    }

    @Test
    void expiryFollowsZeeksTimerForTheState() {
        ConnectionView attempt = ConnectionView.start(fromClient(0, SYN, CLIENT_ISN, 0, 0));
        assertEquals(T0 + ZEEK.attemptDelay(), attempt.expiresAtMicros(ZEEK));

        ConnectionView open = replay(normalSession().subList(0, 5));
        assertEquals(T0 + 3_000 + ZEEK.tcpInactivity(), open.expiresAtMicros(ZEEK));

        ConnectionView finished = replay(normalSession());
        assertEquals(T0 + 5_000 + ZEEK.closeDelay(), finished.expiresAtMicros(ZEEK),
                "close delay from the last activity before both sides had closed");

        ConnectionView rejected = replay(List.of(fromClient(0, SYN, CLIENT_ISN, 0, 0),
                fromServer(100, RST | ACK, 0, CLIENT_ISN + 1, 0)));
        assertEquals(T0 + 100 + ZEEK.closeDelay(), rejected.expiresAtMicros(ZEEK));

        assertEquals(T0 + ZEEK.udpInactivity(),
                ConnectionView.start(udp(0, CLIENT, CLIENT_PORT, SERVER, 3544, 10)).expiresAtMicros(ZEEK));
        assertEquals(T0 + ZEEK.dnsInactivity(),
                ConnectionView.start(udp(0, CLIENT, CLIENT_PORT, SERVER, 53, 10)).expiresAtMicros(ZEEK));
    }

    @Test
    void finThenRstWhileThePeerIsOpenEndsAfterTheResetDelay() {
        ConnectionView view = replay(normalSession().subList(0, 6));
        view.observe(fromClient(7_000, RST, CLIENT_ISN + 102, 0, 0));
        assertEquals(T0 + 7_000 + ZEEK.resetDelay(), view.expiresAtMicros(ZEEK));
    }

    /** The view in a flow of its own, as the flow store holds it. */
    private static FlowState flowOf(ConnectionView view) {
        FlowState flow = new FlowState();
        flow.add(new Vantage("h", "eth0"), view);
        return flow;
    }

    private static ConnectionView restored(ConnectionView view) {
        return FlowStateCodec.decode(FlowStateCodec.encode(flowOf(view))).views().get(0).view();
    }

    @Test
    void aViewRestoredFromTheFlowStoreIsTheSameAndGoesOnExactlyAsTheOriginal() {
        List<PacketEvent> session = normalSession();
        for (int cut = 1; cut <= session.size(); cut++) {
            ConnectionView view = replay(session.subList(0, cut));
            ConnectionView copy = restored(view);
            assertEquals(FlowStateDump.of(flowOf(view)), FlowStateDump.of(flowOf(copy)), "at cut " + cut);
            for (PacketEvent next : session.subList(cut, session.size())) {
                view.observe(next);
                copy.observe(next);
            }
            assertEquals(FlowStateDump.of(flowOf(view)), FlowStateDump.of(flowOf(copy)),
                    "after replaying the rest from cut " + cut);
        }
        ConnectionView ipv6 = ConnectionView.start(PacketEvent.newBuilder(fromClient(0, SYN, CLIENT_ISN, 0, 0))
                .setIpVersion(6).setSrc(ByteBuffer.wrap(Addresses.parse("2001:db8::1")))
                .setDst(ByteBuffer.wrap(Addresses.parse("2001:db8::2"))).build());
        ConnectionView ipv6Copy = restored(ipv6);
        assertEquals("2001:db8::1", ipv6Copy.originatorIp());
        assertEquals("2001:db8::2", ipv6Copy.responderIp());
        assertEquals(FlowStateDump.of(flowOf(ipv6)), FlowStateDump.of(flowOf(ipv6Copy)));
    }

    /**
     * A keep-alive probe (no payload, one below the side's next sequence number) counts however much the side has
     * sent: sequence numbers compare as 32-bit numbers that wrap (TcpRules), so also past 2 GiB, where a relative
     * offset no longer fits an int.
     */
    @Test
    void aKeepAliveProbeIsRecognisedBeforeAndAfterASideSentMoreThan2GiB() {
        assertEquals(1, keepAliveProbesAfterSending(1_000_000), "after 1 MB");
        assertEquals(1, keepAliveProbesAfterSending(3L << 30), "after 3 GiB");
    }

    /** The client's probes counted after it sent {@code bytes} (1 MB segments, each acknowledged) and probed once. */
    private static int keepAliveProbesAfterSending(long bytes) {
        ConnectionView view = replay(List.of(fromClient(0, SYN, CLIENT_ISN, 0, 0),
                fromServer(1_500, SYN | ACK, SERVER_ISN, CLIENT_ISN + 1, 0),
                fromClient(1_600, ACK, CLIENT_ISN + 1, SERVER_ISN + 1, 0)));
        long next = CLIENT_ISN + 1;
        for (long sent = 0, at = 2_000; sent < bytes; sent += 1_000_000, at += 1_000) {
            view.observe(fromClient(at, PSH | ACK, next & 0xffffffffL, SERVER_ISN + 1, 1_000_000));
            next += 1_000_000;
            view.observe(fromServer(at + 500, ACK, SERVER_ISN + 1, next & 0xffffffffL, 0));
        }
        view.observe(fromClient(600_000_000L, ACK, (next - 1) & 0xffffffffL, SERVER_ISN + 1, 0));
        return view.sentBy(Addresses.parse(CLIENT), CLIENT_PORT).probeRun();
    }
}
