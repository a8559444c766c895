package dev.wirewatch.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A thousand bad records of one kind give one line, then one summary per minute; each kind is said once. */
class RepeatedLogTest {
    private final List<String> warnings = new ArrayList<>();
    private final List<Throwable> traces = new ArrayList<>();
    private final AtomicLong clock = new AtomicLong();
    private final RepeatedLog log = new RepeatedLog(new RepeatedLog.Lines() {
        @Override
        public void warn(String line) {
            warnings.add(line);
        }

        @Override
        public void debug(String line, Throwable error) {
            traces.add(error);
        }
    }, Duration.ofMinutes(1), clock::get);

    @Test
    void theFirstOfAKindIsOneLineAndTheRestAreCountedAndSummarisedOnceAMinute() {
        IllegalStateException error = new IllegalStateException("bad bytes\nat line 2");
        for (int i = 0; i < 1000; i++) {
            log.warn("undecodable ww.packets", "record skipped", error);
        }
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("undecodable ww.packets: record skipped (IllegalStateException: bad bytes ...)"),
                warnings.get(0));
        assertEquals(List.of(error), traces, "the stack trace once, at debug");

        clock.addAndGet(Duration.ofSeconds(59).toNanos());
        log.warn("undecodable ww.packets", "record skipped", error);
        assertEquals(1, warnings.size(), "no summary within the minute");
        clock.addAndGet(Duration.ofSeconds(2).toNanos());
        log.warn("undecodable ww.packets", "record skipped", error);
        assertEquals(2, warnings.size());
        assertTrue(warnings.get(1).startsWith("undecodable ww.packets: 1001 more since "), warnings.get(1));
        assertTrue(warnings.get(1).endsWith("(1002 in all)"), warnings.get(1));
        assertEquals(1002, log.count("undecodable ww.packets"));
    }

    @Test
    void eachKindIsSaidOnceAndFlushSummarisesWhatIsLeft() {
        log.warn("null value on ww.alerts", "skipped");
        log.warn("garbage on ww.sensors", "skipped");
        log.warn("garbage on ww.sensors", "skipped");
        assertEquals(2, warnings.size(), warnings.toString());
        log.flush();
        assertEquals(3, warnings.size(), warnings.toString());
        assertTrue(warnings.get(2).startsWith("garbage on ww.sensors: 1 more since"), warnings.get(2));
        log.flush();
        assertEquals(3, warnings.size(), "nothing new, nothing said");
        assertEquals(0, log.count("never seen"));
    }
}
