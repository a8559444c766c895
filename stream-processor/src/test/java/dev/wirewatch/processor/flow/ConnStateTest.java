package dev.wirewatch.processor.flow;

import static dev.wirewatch.processor.flow.EndpointState.CLOSED;
import static dev.wirewatch.processor.flow.EndpointState.ESTABLISHED;
import static dev.wirewatch.processor.flow.EndpointState.INACTIVE;
import static dev.wirewatch.processor.flow.EndpointState.PARTIAL;
import static dev.wirewatch.processor.flow.EndpointState.RESET;
import static dev.wirewatch.processor.flow.EndpointState.SYN_ACK_SENT;
import static dev.wirewatch.processor.flow.EndpointState.SYN_SENT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wirewatch.schemas.FlowKey;
import org.junit.jupiter.api.Test;

/**
 * conn_state as Zeek's {@code conn_state} function documents each code ({@code base/protocols/conn/main.zeek}),
 * from the two sides' states alone ({@link ConnStateMatchesZeekTest} compares whole traces with Zeek's conn.log).
 */
class ConnStateTest {
    private static String tcp(EndpointState orig, EndpointState resp) {
        return tcp(orig, resp, "");
    }

    private static String tcp(EndpointState orig, EndpointState resp, String history) {
        TcpEndpoint o = new TcpEndpoint();
        TcpEndpoint r = new TcpEndpoint();
        o.state = orig;
        r.state = resp;
        ConnectionHistory letters = new ConnectionHistory();
        letters.letters.append(history);
        return ConnState.ofTcp(o, r, letters);
    }

    @Test
    void s0IsASynWithNoReply() {
        assertEquals("S0", tcp(SYN_SENT, INACTIVE));
    }

    @Test
    void s1IsEstablishedNotClosed() {
        assertEquals("S1", tcp(ESTABLISHED, ESTABLISHED));
    }

    @Test
    void sfIsANormalCloseByBoth() {
        assertEquals("SF", tcp(CLOSED, CLOSED));
    }

    @Test
    void rejIsASynAnsweredByARst() {
        assertEquals("REJ", tcp(SYN_SENT, RESET));
        assertEquals("REJ", tcp(SYN_ACK_SENT, RESET));
        assertEquals("REJ", tcp(RESET, RESET), "both reset, no byte either way");
    }

    @Test
    void s2AndS3AreAnEstablishedConnectionClosedByOneSideOnly() {
        assertEquals("S2", tcp(CLOSED, ESTABLISHED), "the originator closed");
        assertEquals("S3", tcp(ESTABLISHED, CLOSED), "the responder closed");
    }

    @Test
    void rstoAndRstrAreAnEstablishedConnectionResetByOneSide() {
        assertEquals("RSTO", tcp(RESET, ESTABLISHED));
        assertEquals("RSTR", tcp(ESTABLISHED, RESET));
    }

    @Test
    void rstos0IsTheOriginatorsSynThenRstWithNoSynAck() {
        assertEquals("RSTOS0", tcp(RESET, INACTIVE, "SR"));
        assertEquals("RSTOS0", tcp(RESET, INACTIVE, "^SR"));
        assertEquals("OTH", tcp(RESET, INACTIVE, "DR"), "no SYN first: midstream");
        assertEquals("OTH", tcp(RESET, INACTIVE, "SAR"), "acknowledged something: not just a SYN");
    }

    @Test
    void rstrhIsTheRespondersResetWithTheOriginatorNeverSeen() {
        assertEquals("RSTRH", tcp(INACTIVE, RESET));
        assertEquals("RSTRH", tcp(PARTIAL, RESET));
    }

    @Test
    void shAndShrAreASynOrSynAckThenFinWithNoReply() {
        assertEquals("SH", tcp(CLOSED, INACTIVE));
        assertEquals("SHR", tcp(INACTIVE, CLOSED));
    }

    @Test
    void othIsAnythingElse() {
        assertEquals("OTH", tcp(PARTIAL, ESTABLISHED));
        assertEquals("OTH", tcp(INACTIVE, INACTIVE));
        assertEquals("OTH", tcp(SYN_ACK_SENT, INACTIVE), "a SYN-ACK alone is not an attempt");
    }

    @Test
    void udpSaysWhichSidesSentAndIcmpIsAlwaysOth() {
        assertEquals("SF", ConnState.ofDatagrams(FlowKey.UDP, 1, 1));
        assertEquals("S0", ConnState.ofDatagrams(FlowKey.UDP, 3, 0));
        assertEquals("SHR", ConnState.ofDatagrams(FlowKey.UDP, 0, 2));
        assertEquals("OTH", ConnState.ofDatagrams(FlowKey.ICMP, 1, 1));
        assertEquals("OTH", ConnState.ofDatagrams(FlowKey.ICMPV6, 1, 0));
    }
}
