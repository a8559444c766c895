package dev.wirewatch.processor.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Zeek's history letters: once per side, upper case from the originator, lower from the responder. */
class ConnectionHistoryTest {
    private final ConnectionHistory history = new ConnectionHistory();

    @Test
    void eachLetterIsAddedOncePerSideInTheSidesCase() {
        assertFalse(history.check(true, ConnectionHistory.SYN, 'S'));
        assertFalse(history.check(false, ConnectionHistory.SYN, 'H'));
        assertFalse(history.check(true, ConnectionHistory.ACK, 'A'));
        assertTrue(history.check(true, ConnectionHistory.ACK, 'A'), "seen before");
        assertFalse(history.check(false, ConnectionHistory.DATA, 'D'));
        assertTrue(history.check(false, ConnectionHistory.DATA, 'D'));
        assertFalse(history.check(true, ConnectionHistory.DATA, 'D'), "the other side's D is its own");
        assertEquals("ShAdD", history.toString());
    }

    @Test
    void theRespondersLettersAreSixteenBitsAboveTheOriginators() {
        history.check(true, ConnectionHistory.FIN, 'F');
        history.check(false, ConnectionHistory.RST, 'R');
        assertEquals(ConnectionHistory.FIN | ConnectionHistory.RST << 16, history.seen);
    }

    @Test
    void aFlipIsMarkedWhereItHappened() {
        history.check(true, ConnectionHistory.DATA, 'D');
        history.flipped();
        history.check(true, ConnectionHistory.ACK, 'A');
        assertEquals("D^A", history.toString());
    }

    @Test
    void aLoneSynAckIsUndoneAsTheRespondersWithTheMissingSynNoted() {
        history.check(true, ConnectionHistory.SYN, 'H');
        assertTrue(history.onlySynAck());
        history.restartAsResponderSynAck();
        assertEquals("^h", history.toString());
        assertFalse(history.onlySynAck());
    }

    @Test
    void synThenResetIsRstos0sHistoryAsZeeksPattern() {
        history.letters.append("SR");
        assertTrue(history.synThenReset());
        history.letters.setLength(0);
        history.letters.append("SAR");
        assertFalse(history.synThenReset(), "the originator acknowledged an answer");
        history.letters.setLength(0);
        history.letters.append("^SdR");
        assertTrue(history.synThenReset(), "as Zeek's pattern: only the originator's letters count");
        history.letters.setLength(0);
        history.letters.append("SFR");
        assertFalse(history.synThenReset(), "a close attempt is not a bare SYN");
    }
}
