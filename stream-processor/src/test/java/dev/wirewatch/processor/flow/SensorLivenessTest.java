package dev.wirewatch.processor.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.record.Tick;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a sensor's ticks say about when its silence is evidence, and how that is stored. */
class SensorLivenessTest {
    private static final long S = 1_000_000;
    private static final long T0 = 1_780_000_000L * S;

    private static SensorLiveness ticks(Tick... ticks) {
        SensorLiveness liveness = SensorLiveness.NEVER_SEEN;
        for (Tick tick : ticks) {
            liveness = liveness.next(tick);
        }
        return liveness;
    }

    private static Tick tick(long ts, String... blind) {
        return Tick.newBuilder().setHost("h").setTsMicros(ts).setBlind(List.of(blind)).build();
    }

    @Test
    void aBlindTickCoversTheSpanSinceThePreviousTickForItsInterfacesOnly() {
        SensorLiveness liveness = ticks(tick(T0), tick(T0 + S), tick(T0 + 2 * S, "eth0"), tick(T0 + 3 * S, "eth0"),
                tick(T0 + 4 * S));
        assertEquals(1, liveness.blind().size(), "consecutive blind ticks are one episode");
        assertFalse(liveness.watched("eth0", T0 + S + 500_000, T0 + S + 600_000));
        assertTrue(liveness.watched("eth1", T0 + S + 500_000, T0 + 4 * S), "another interface was captured");
        assertTrue(liveness.watched("eth0", T0 + 3 * S + 1, T0 + 4 * S), "captured again after the episode");
        assertFalse(liveness.watched(null, T0, T0 + 4 * S), "any interface: the episode counts");
        assertFalse(liveness.watched("eth0", T0 + 3 * S + 1, T0 + 5 * S), "not ticked that far yet");
    }

    @Test
    void theReturnAfterAPlannedStopIsBlindInBetween() {
        SensorLiveness stopped = ticks(tick(T0), Tick.newBuilder().setHost("h").setTsMicros(T0 + S).setStopped(true).build());
        assertTrue(stopped.stopped());
        SensorLiveness back = stopped.next(tick(T0 + 60 * S));
        assertFalse(back.stopped());
        assertFalse(back.watched("eth0", T0 + 30 * S, T0 + 31 * S), "nothing was captured while it was stopped");
    }

    @Test
    void episodesBeyondTheLimitMergeAndOldOnesAreForgotten() {
        SensorLiveness liveness = SensorLiveness.NEVER_SEEN;
        for (int i = 0; i < 2 * SensorLiveness.MAX_SPANS; i++) {
            liveness = liveness.next(tick(T0 + 2 * i * S, "eth0")).next(tick(T0 + (2 * i + 1) * S));
        }
        assertEquals(SensorLiveness.MAX_SPANS, liveness.blind().size());
        assertFalse(liveness.watched("eth0", T0 - S / 2, T0), "the oldest episode is merged, never lost");
        liveness = liveness.next(tick(T0 + SensorLiveness.BLIND_KEPT_MICROS + 200 * S));
        assertEquals(List.of(), liveness.blind(), "an hour later nothing waits for them");
    }

    @Test
    void aSensorIsNoWitnessOfWhatPassedBeforeItStarted() {
        SensorLiveness liveness = ticks(tick(T0), tick(T0 + S), tick(T0 + 2 * S));
        assertTrue(liveness.watched("eth0", T0 - S, T0 + 2 * S), "captured since one tick interval before its first");
        assertFalse(liveness.watched("eth0", T0 - 5 * S, T0 + 2 * S), "it started after the other sensors");
        assertTrue(liveness.blindOver(null, T0 - 5 * S, T0 - 4 * S));
        assertEquals(T0, liveness.next(tick(T0 + 3 * S)).firstTickMicros(), "the first tick stays the first");
    }

    @Test
    void storedLivenessRoundTripsAndTheOldNineByteFormIsRead() {
        SensorLiveness liveness = ticks(tick(T0), tick(T0 + S, "eth0", "veth-ß"));
        assertEquals(liveness, SensorLiveness.fromBytes(liveness.toBytes()));
        assertEquals(T0, SensorLiveness.fromBytes(liveness.toBytes()).firstTickMicros());
        SensorLiveness beforeFirstTicksWereKept = new SensorLiveness(T0, false, false, List.of(), Absent.NONE);
        byte[] withoutFirst = Arrays.copyOf(beforeFirstTicksWereKept.toBytes(),
                beforeFirstTicksWereKept.toBytes().length - 8);
        assertEquals(beforeFirstTicksWereKept, SensorLiveness.fromBytes(withoutFirst));
        byte[] old = ByteBuffer.allocate(9).putLong(T0).put((byte) 1).array();
        assertEquals(new SensorLiveness(T0, true, false, List.of(), Absent.NONE), SensorLiveness.fromBytes(old));
    }
}
