package dev.wirewatch.processor.flow;

import static dev.wirewatch.processor.Packets.ACK;
import static dev.wirewatch.processor.Packets.FIN;
import static dev.wirewatch.processor.Packets.RST;
import static dev.wirewatch.processor.Packets.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wirewatch.processor.Packets;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.record.PacketEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One vantage's packets split into connections where Zeek splits them. */
class ConversationTrackerTest {
    private static final long T0 = 1_700_000_000_000_000L;
    private static final long SECOND = 1_000_000L;

    private static PacketEvent fromClient(long offsetMicros, int flags, long seq, long ack) {
        return Packets.tcp("h", T0 + offsetMicros, "10.0.0.1", 40000, "10.0.0.2", 5555, flags, seq, ack, 0);
    }

    private static PacketEvent fromServer(long offsetMicros, int flags, long seq, long ack) {
        return Packets.tcp("h", T0 + offsetMicros, "10.0.0.2", 5555, "10.0.0.1", 40000, flags, seq, ack, 0);
    }

    private static List<String> summary(List<ConnectionView> views) {
        return views.stream().map(view -> view.connState() + " " + view.history() + " " + view.originatorPackets()
                + "/" + view.responderPackets()).toList();
    }

    private static List<ConnectionView> track(ConnectionTimeouts timeouts, PacketEvent... packets) {
        return ConversationTracker.replay(List.of(packets), timeouts);
    }

    @Test
    void bothDirectionsOfOneFiveTupleAreOneConnection() {
        List<ConnectionView> views = track(ConnectionTimeouts.ZEEK_DEFAULTS,
                fromClient(0, SYN, 100, 0), fromServer(1000, SYN | ACK, 900, 101), fromClient(2000, ACK, 101, 901));
        assertEquals(List.of("S1 ShA 2/1"), summary(views));
    }

    @Test
    void anUnansweredSynRetriedAfterTheAttemptDelayIsASecondConnection() {
        List<ConnectionView> views = track(ConnectionTimeouts.ZEEK_DEFAULTS,
                fromClient(0, SYN, 100, 0), fromClient(3 * SECOND, SYN, 100, 0), fromClient(6 * SECOND, SYN, 100, 0));
        assertEquals(List.of("S0 S 2/0", "S0 S 1/0"), summary(views));
    }

    @Test
    void theMonitorsLongerAttemptDelayKeepsSynRetriesTogether() {
        List<ConnectionView> views = track(ConnectionTimeouts.from(ProcessorConfig.DEFAULTS),
                fromClient(0, SYN, 100, 0), fromClient(3 * SECOND, SYN, 100, 0), fromClient(6 * SECOND, SYN, 100, 0));
        assertEquals(List.of("S0 S 3/0"), summary(views));
        assertEquals(3, views.get(0).synCount());
    }

    @Test
    void aSynAfterARejectionStartsANewConnectionAtOnce() {
        List<ConnectionView> views = track(ConnectionTimeouts.ZEEK_DEFAULTS,
                fromClient(0, SYN, 100, 0), fromServer(1000, RST | ACK, 0, 101),
                fromClient(SECOND, SYN, 100, 0), fromServer(SECOND + 1000, RST | ACK, 0, 101));
        assertEquals(List.of("REJ Sr 1/1", "REJ Sr 1/1"), summary(views));
    }

    @Test
    void aClosedConnectionIsFinishedWhenTheCloseDelayHasPassed() {
        ConversationTracker tracker = new ConversationTracker(ConnectionTimeouts.ZEEK_DEFAULTS);
        for (PacketEvent packet : List.of(fromClient(0, SYN, 100, 0), fromServer(1000, SYN | ACK, 900, 101),
                fromClient(2000, ACK, 101, 901), fromClient(3000, FIN | ACK, 101, 901),
                fromServer(4000, FIN | ACK, 901, 102), fromClient(5000, ACK, 102, 902))) {
            assertEquals(List.of(), tracker.observe(packet));
        }
        // the close delay runs from the last activity before both sides had closed: the server's FIN
        assertEquals(List.of(), tracker.advanceTo(T0 + 4000 + 5 * SECOND - 1));
        assertEquals(List.of("SF ShAFf 4/2"), summary(tracker.observe(
                Packets.tcp("h", T0 + 4000 + 5 * SECOND, "10.0.0.3", 1, "10.0.0.4", 2, SYN, 1, 0, 0))));
        assertEquals(List.of("S0 S 1/0"), summary(tracker.finishAll()));
        assertEquals(0, tracker.openConnections());
    }
}
