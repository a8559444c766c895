package dev.wirewatch.processor.l2;

import dev.wirewatch.processor.flow.DetectionContext;
import dev.wirewatch.record.Alert;
import java.util.List;

/**
 * A detector of the address stage's VRRP part: judges what every sensor saw of one virtual router. Asked at every
 * punctuation of stream time and when every input has ended; it notes what it reported in {@code router.reported}.
 */
public interface VirtualRouterDetector {
    String type();

    List<Alert> judge(String router, VirtualRouter state, DetectionContext context);

    /** The MAC with its monitored host (and its source address on a virtual MAC), for summaries. */
    static String named(VirtualRouter.Speaker speaker) {
        String src = VirtualRouter.Speaker.isVirtualMac(speaker.mac()) ? speaker.src() : null;
        String aside = speaker.host() == null ? src : src == null ? speaker.host() : src + ", " + speaker.host();
        return aside == null ? speaker.mac() : speaker.mac() + " (" + aside + ")";
    }
}
