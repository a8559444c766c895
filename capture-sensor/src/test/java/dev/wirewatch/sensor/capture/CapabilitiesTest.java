package dev.wirewatch.sensor.capture;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a sensor needs to capture, read from the kernel's account of the process (/proc/self/status). */
class CapabilitiesTest {
    private static Capabilities status(String effectiveHex, int uid) {
        return new Capabilities(List.of("Name:\tjava", "Uid:\t" + uid + "\t" + uid + "\t" + uid + "\t" + uid,
                "CapInh:\t0000000000000000", "CapEff:\t" + effectiveHex));
    }

    @Test
    void capNetRawAloneIsEnoughToCapture() {
        assertDoesNotThrow(() -> status("0000000000002000", 65534).requireForLiveCapture(false));
        assertDoesNotThrow(() -> status("000001ffffffffff", 0).requireForLiveCapture(true), "root with every capability");
    }

    @Test
    void withoutCapNetRawTheErrorNamesItAndHowToGrantIt() {
        CaptureFileException error = assertThrows(CaptureFileException.class,
                () -> status("0000000000000000", 65534).requireForLiveCapture(false));
        assertTrue(error.getMessage().contains("CAP_NET_RAW") && error.getMessage().contains("AmbientCapabilities"),
                error.getMessage());
        assertThrows(CaptureFileException.class, () -> status("0000000000000002", 0).requireForLiveCapture(false),
                "root without CAP_NET_RAW (a bounded container) cannot capture either");
    }

    @Test
    void dropReasonsNeedTracefsWhichBelongsToRoot() {
        CaptureFileException error = assertThrows(CaptureFileException.class,
                () -> status("0000000000002000", 65534).requireForLiveCapture(true));
        assertTrue(error.getMessage().contains("CAP_DAC_OVERRIDE"), error.getMessage());
        assertDoesNotThrow(() -> status("0000000000002002", 65534).requireForLiveCapture(true));
        assertDoesNotThrow(() -> status("0000000000002000", 0).requireForLiveCapture(true), "root owns tracefs");
    }

    @Test
    void withoutTheKernelsAccountTheCaptureItselfSpeaks() {
        assertDoesNotThrow(() -> new Capabilities(List.of()).requireForLiveCapture(true));
    }
}
