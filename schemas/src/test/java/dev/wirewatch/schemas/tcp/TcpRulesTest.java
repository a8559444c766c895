package dev.wirewatch.schemas.tcp;

import static dev.wirewatch.schemas.TcpFlags.ACK;
import static dev.wirewatch.schemas.TcpFlags.FIN;
import static dev.wirewatch.schemas.TcpFlags.RST;
import static dev.wirewatch.schemas.TcpFlags.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.schemas.FlowKey;
import org.junit.jupiter.api.Test;

class TcpRulesTest {
    @Test
    void sequenceNumbersCompareAcrossTheWrap() {
        assertEquals(1, TcpRules.delta(0, 0xffffffffL));
        assertEquals(-1, TcpRules.delta(0xffffffffL, 0));
        assertEquals(100, TcpRules.delta(1100, 1000));
    }

    @Test
    void synAndFinTakeOneSequenceNumberEachAndARstsPayloadNone() {
        assertEquals(1, TcpRules.segmentLength(SYN, 0));
        assertEquals(101, TcpRules.segmentLength(FIN | ACK, 100));
        assertEquals(100, TcpRules.segmentLength(ACK, 100));
        assertEquals(0, TcpRules.segmentLength(RST | ACK, 100));
        assertEquals(2, TcpRules.segmentLength(SYN | FIN, 0));
    }

    @Test
    void onlySynsAndRstsMayNotJumpMoreThanOneMebibyte() {
        assertTrue(TcpRules.untrustedJump(RST, TcpRules.TOO_LARGE_SEQ_DELTA + 1));
        assertTrue(TcpRules.untrustedJump(SYN | ACK, -TcpRules.TOO_LARGE_SEQ_DELTA - 1));
        assertTrue(TcpRules.untrustedJump(RST, Integer.MIN_VALUE));
        assertFalse(TcpRules.untrustedJump(RST, TcpRules.TOO_LARGE_SEQ_DELTA));
        assertFalse(TcpRules.untrustedJump(ACK, TcpRules.TOO_LARGE_SEQ_DELTA + 1));
    }

    @Test
    void aZeroAckFromFarAwayDoesNotAdvance() {
        assertTrue(TcpRules.ackAdvances(5000, 1));
        assertTrue(TcpRules.ackAdvances(5000, TcpRules.TOO_LARGE_SEQ_DELTA + 1));
        assertFalse(TcpRules.ackAdvances(0, TcpRules.TOO_LARGE_SEQ_DELTA + 1));
        assertTrue(TcpRules.ackAdvances(0, 10));
        assertFalse(TcpRules.ackAdvances(5000, 0));
    }

    @Test
    void payloadBelowTheHighestSequenceIsARetransmission() {
        assertTrue(TcpRules.isRetransmission(0, 100));
        assertTrue(TcpRules.isRetransmission(-50, 1));
        assertFalse(TcpRules.isRetransmission(0, 0), "a pure ACK is not");
        assertFalse(TcpRules.isRetransmission(1, 100), "new data is not");
    }

    @Test
    void aKeepAliveIsZeroOrOneByteOneBelowTheNextSequence() {
        assertTrue(TcpRules.isKeepAliveProbe(999, 0, 1000));
        assertTrue(TcpRules.isKeepAliveProbe(999, 1, 1000));
        assertTrue(TcpRules.isKeepAliveProbe(0xffffffffL, 0, 0), "across the wrap");
        assertTrue(TcpRules.isKeepAliveProbe(0x1_0000_0000L + 999, 0, 1000), "a 2^32 apart is the same number");
        assertFalse(TcpRules.isKeepAliveProbe(999, 2, 1000), "two bytes are data");
        assertFalse(TcpRules.isKeepAliveProbe(1000, 0, 1000), "at the next sequence: a plain ACK");
    }

    @Test
    void payloadWithoutATcpHeaderIsTheIpLengthLessTheHeaders() {
        assertEquals(100, TcpRules.payloadEstimate(4, 128, FlowKey.UDP));
        assertEquals(100, TcpRules.payloadEstimate(6, 148, FlowKey.UDP));
        assertEquals(64, TcpRules.payloadEstimate(4, 84, FlowKey.ICMP), "ICMP: its header counts as payload");
        assertEquals(0, TcpRules.payloadEstimate(4, 20, FlowKey.UDP), "never negative");
    }
}
