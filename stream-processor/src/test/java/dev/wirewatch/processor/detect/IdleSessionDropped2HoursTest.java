package dev.wirewatch.processor.detect;

import dev.wirewatch.processor.SampleCase;
import java.nio.file.Path;

/**
 * Seed case 6 at Linux's keep-alive time (deploy/captures/long-idle/06-idle-2h): the kernel recording with the silence
 * after the four logins stretched to 2 hours, so carol's probes and bob's come 2 hours after the last exchange, as with
 * net.ipv4.tcp_keepalive_time's default. Every check of the recorded sample holds: carol's probes go unanswered and
 * her kernel resets (KEEPALIVE_UNANSWERED on client, HALF_OPEN_SESSION on server), alice's session is half open,
 * dave's reset is forged, bob's answered probes are healthy.
 */
class IdleSessionDropped2HoursTest extends IdleSessionDroppedCaptureTest {
    @Override
    Path caseDir() {
        return SampleCase.longIdleDir("06-idle-2h");
    }
}
