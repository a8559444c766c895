package dev.wirewatch.processor.detect;

import dev.wirewatch.processor.SampleCase;
import java.nio.file.Path;

/**
 * Seed case 6 at a real idle time (deploy/captures/long-idle/06-idle-15m): the kernel recording with the silence after
 * the four logins stretched to 15 minutes, as a client resumes a session a middlebox forgot while it idled. Every
 * check of the recorded sample holds: alice's lost command and reset leave the server holding her session
 * (HALF_OPEN_SESSION, reconnected), carol's keep-alives go unanswered, dave's reset is forged, bob stays healthy.
 */
class IdleSessionDropped15MinutesTest extends IdleSessionDroppedCaptureTest {
    @Override
    Path caseDir() {
        return SampleCase.longIdleDir("06-idle-15m");
    }
}
