package dev.wirewatch.sensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A sensor whose capture dropped packets says so for a minute after the last drop, then recovers by itself. */
class CaptureDropWatchTest {
    @Test
    void dropsMarkTheSensorDegradedForAMinuteAfterTheLastOne() {
        AtomicLong dropped = new AtomicLong();
        AtomicLong now = new AtomicLong();
        CaptureDropWatch watch = new CaptureDropWatch(dropped::get, now::get);
        assertEquals(Optional.empty(), watch.degraded(), "nothing dropped");
        dropped.set(1_200);
        assertEquals(Optional.of("1,200 packets dropped in capture (kernel buffer or interface)"), watch.degraded());
        now.addAndGet(TimeUnit.SECONDS.toNanos(50));
        dropped.set(1_300);
        assertTrue(watch.degraded().isPresent(), "dropping again");
        now.addAndGet(TimeUnit.SECONDS.toNanos(59));
        assertTrue(watch.degraded().isPresent(), "59 s after the last drop");
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertEquals(Optional.empty(), watch.degraded(), "a minute without drops");
    }
}
