package dev.wirewatch.sensor.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The drop filter takes the numbers of the non-drop reasons from the kernel's own event format, which changes. */
class TraceFilterTest {
    private static final Path FORMAT = Path.of("/sys/kernel/tracing/events/skb/kfree_skb/format");

    @Test
    void numbersComeFromTheFormatWhateverTheKernelVersion() {
        // 6.1 numbering: no SKB_CONSUMED, NOT_SPECIFIED = 1, NO_SOCKET = 2 (which must pass).
        String older = "print fmt: \"reason: %s\", __print_symbolic(REC->reason, { 1, \"NOT_SPECIFIED\" }, "
                + "{ 2, \"NO_SOCKET\" }, { 3, \"PKT_TOO_SMALL\" })";
        assertEquals("reason != 1", TraceInstance.realDrops(older));
        String newer = "{ 1, \"SKB_CONSUMED\" }, { 2, \"NOT_SPECIFIED\" }, { 3, \"NO_SOCKET\" }";
        assertEquals("reason != 1 && reason != 2", TraceInstance.realDrops(newer));
    }

    /** This kernel's format: NOT_SPECIFIED is excluded by the number the kernel gives it. */
    @Test
    void thisKernelsFormatExcludesItsNotSpecified() throws Exception {
        assertTrue(Files.isReadable(FORMAT), FORMAT + " is needed: run the tests as root on Linux 5.17+ with tracefs");
        String format = Files.readString(FORMAT);
        String number = format.replaceAll("(?s).*\\{ (\\d+), \"NOT_SPECIFIED\" \\}.*", "$1");
        String filter = TraceInstance.realDrops(format);
        assertTrue(filter.contains("reason != " + number), filter);
    }
}
