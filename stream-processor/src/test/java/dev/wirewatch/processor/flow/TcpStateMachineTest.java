package dev.wirewatch.processor.flow;

import static dev.wirewatch.processor.flow.EndpointState.CLOSED;
import static dev.wirewatch.processor.flow.EndpointState.ESTABLISHED;
import static dev.wirewatch.processor.flow.EndpointState.INACTIVE;
import static dev.wirewatch.processor.flow.EndpointState.PARTIAL;
import static dev.wirewatch.processor.flow.EndpointState.RESET;
import static dev.wirewatch.processor.flow.EndpointState.SYN_ACK_SENT;
import static dev.wirewatch.processor.flow.EndpointState.SYN_SENT;
import static dev.wirewatch.schemas.TcpFlags.ACK;
import static dev.wirewatch.schemas.TcpFlags.FIN;
import static dev.wirewatch.schemas.TcpFlags.RST;
import static dev.wirewatch.schemas.TcpFlags.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Each transition of Zeek's TCP state machine ({@code TCP_Analyzer::UpdateStateMachine}), one sender state at a
 * time: what the segment does to the sender, to its peer, to the removal timers, and whether it closed the sender.
 */
class TcpStateMachineTest {
    private static final long TS = 1_000_000;

    private final ConnectionView view = new ConnectionView();

    private static TcpSegment segment(int flags) {
        return segment(flags, 1000, 0);
    }

    private static TcpSegment segment(int flags, long seq, int length) {
        return new TcpSegment(flags, seq, 0, length, 65535, null);
    }

    private void states(EndpointState orig, EndpointState resp) {
        view.orig.state = orig;
        view.resp.state = resp;
    }

    private boolean fromOrig(TcpSegment segment) {
        return TcpStateMachine.update(view, view.orig, view.resp, segment, true, TS);
    }

    private boolean fromResp(TcpSegment segment) {
        return TcpStateMachine.update(view, view.resp, view.orig, segment, false, TS);
    }

    @Test
    void inactiveOriginatorsSynIsAnAttemptThatStartsTheAttemptTimer() {
        assertFalse(fromOrig(segment(SYN)));
        assertEquals(SYN_SENT, view.orig.state);
        assertEquals(TS, view.timers.attemptFrom);
    }

    @Test
    void inactiveOriginatorsSynAckIsSynAckSent() {
        assertFalse(fromOrig(segment(SYN | ACK)));
        assertEquals(SYN_ACK_SENT, view.orig.state);
        assertEquals(TS, view.timers.attemptFrom);
    }

    @Test
    void theResponderAnsweringASynEstablishesBothSides() {
        states(SYN_SENT, INACTIVE);
        assertFalse(fromResp(segment(SYN | ACK)));
        assertEquals(ESTABLISHED, view.orig.state);
        assertEquals(ESTABLISHED, view.resp.state);
        assertEquals(Absent.NEVER, view.timers.attemptFrom, "only the originator's SYN starts it");
    }

    @Test
    void aSynAfterItsSynAckFlipsTheRoles() {
        view.origAddress = new byte[] {10, 0, 0, 2};
        view.respAddress = new byte[] {10, 0, 0, 1};
        view.history.letters.append('H');
        states(SYN_ACK_SENT, INACTIVE);
        TcpEndpoint synAckSender = view.orig;
        TcpEndpoint synSender = view.resp;
        synSender.startSeq = 1000; // the SYN-ACK acknowledged 1001
        assertFalse(TcpStateMachine.update(view, synSender, synAckSender, segment(SYN, 1000, 0), false, TS));
        assertSame(synSender, view.orig, "the SYN's sender is the originator");
        assertEquals(ESTABLISHED, synSender.state);
        assertEquals(ESTABLISHED, synAckSender.state);
        assertEquals("H^", view.history.toString());
        assertEquals(1, view.origAddress[3], "the addresses flip too");
    }

    @Test
    void aFirstPacketWithoutSynIsPartial() {
        assertFalse(fromOrig(segment(ACK, 1000, 100)));
        assertEquals(PARTIAL, view.orig.state);
    }

    @Test
    void anAckOfTheSynAheadOfTheSynAckLeavesTheResponderInactive() {
        states(SYN_SENT, INACTIVE);
        fromResp(segment(ACK));
        assertEquals(INACTIVE, view.resp.state);
    }

    @Test
    void anAckToAnEstablishedPeerEstablishesTheSideWhoseSynWasMissed() {
        states(ESTABLISHED, INACTIVE);
        fromResp(segment(ACK));
        assertEquals(ESTABLISHED, view.resp.state);
    }

    @Test
    void aFirstFinClosesAndAFirstRstResets() {
        assertTrue(fromOrig(segment(FIN | ACK)));
        assertEquals(CLOSED, view.orig.state);
        assertTrue(fromResp(segment(RST)));
        assertEquals(RESET, view.resp.state);
    }

    @Test
    void afterASynOnlyAFinOrRstMovesTheSide() {
        states(SYN_SENT, INACTIVE);
        assertFalse(fromOrig(segment(SYN)));
        assertFalse(fromOrig(segment(ACK, 1001, 10)));
        assertEquals(SYN_SENT, view.orig.state);
        assertTrue(fromOrig(segment(FIN)));
        assertEquals(CLOSED, view.orig.state);
        states(SYN_ACK_SENT, INACTIVE);
        assertTrue(fromOrig(segment(RST)));
        assertEquals(RESET, view.orig.state);
    }

    @Test
    void anEstablishedSideClosesOnFinAndResetsOnRst() {
        states(ESTABLISHED, ESTABLISHED);
        assertFalse(fromOrig(segment(ACK, 1000, 100)));
        assertEquals(ESTABLISHED, view.orig.state);
        assertTrue(fromOrig(segment(FIN | ACK)));
        assertEquals(CLOSED, view.orig.state);
        assertTrue(fromResp(segment(FIN | RST)));
        assertEquals(RESET, view.resp.state, "FIN with RST is a reset");
    }

    @Test
    void aFinAfterThePeersFinThenRstMakesThatANormalClose() {
        states(ESTABLISHED, RESET);
        view.resp.prevState = CLOSED;
        assertTrue(fromOrig(segment(FIN | ACK)));
        assertEquals(CLOSED, view.resp.state);
    }

    @Test
    void aPartialSideFacingSilenceStartsOverWithASyn() {
        states(PARTIAL, INACTIVE);
        assertFalse(fromOrig(segment(SYN)));
        assertEquals(SYN_SENT, view.orig.state);
        states(PARTIAL, ESTABLISHED);
        fromOrig(segment(SYN));
        assertEquals(PARTIAL, view.orig.state, "not while the peer talks");
    }

    @Test
    void aClosedSideResetsOnlyWhileItsPeerIsOpenAndThatStartsTheResetTimer() {
        states(CLOSED, CLOSED);
        assertFalse(fromOrig(segment(RST)));
        assertEquals(CLOSED, view.orig.state);
        states(CLOSED, ESTABLISHED);
        view.orig.didClose = true;
        assertFalse(fromOrig(segment(RST)), "its FIN closed it already");
        assertEquals(RESET, view.orig.state);
        assertEquals(TS, view.timers.resetFrom);
    }

    @Test
    void nothingMovesAResetSide() {
        states(RESET, ESTABLISHED);
        assertFalse(fromOrig(segment(FIN)));
        assertFalse(fromOrig(segment(SYN)));
        assertEquals(RESET, view.orig.state);
    }

    @Test
    void theFirstCloseOfBothOrAResetEndsTheConnectionOneSidedCloseStartsTheExpireTimer() {
        view.lastMicros = TS;
        states(CLOSED, ESTABLISHED);
        view.orig.prevState = ESTABLISHED;
        TcpStateMachine.closed(view, view.orig, view.resp);
        assertTrue(view.orig.didClose);
        assertEquals(TS, view.timers.closeExpireFrom);
        assertFalse(view.timers.over());
        view.lastMicros = TS + 5;
        states(CLOSED, CLOSED);
        TcpStateMachine.closed(view, view.resp, view.orig);
        assertTrue(view.timers.over());
        assertEquals(TS + 5, view.timers.deleteFrom);
        assertEquals(Absent.NEVER, view.timers.closeExpireFrom, "the others are cancelled");
        view.lastMicros = TS + 9;
        TcpStateMachine.closed(view, view.resp, view.orig);
        assertEquals(TS + 5, view.timers.deleteFrom, "a side closes once");
    }
}
