package dev.wirewatch.processor.flow;

import dev.wirewatch.record.DirectionActivity;
import dev.wirewatch.record.FlowActivity;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.FlowKey;
import java.util.Arrays;

/**
 * A sensor's summary of steady traffic ({@code --mode control}) applied to a {@link ConnectionView}: packets that
 * changed no state, so only counters, times, the highest sequence and acknowledgement numbers and the scaled
 * letters move. Sequence numbers of both sides go first, then the acknowledgements, so an ACK for data in the same
 * summary is no gap.
 */
final class SummaryApplier {
    private SummaryApplier() {}

    static void apply(ConnectionView view, FlowActivity activity) {
        byte[] forwardAddress = Addresses.bytes(activity.getSrc());
        boolean forwardIsOrig = activity.getSrcPort() == view.origPort && Arrays.equals(forwardAddress, view.origAddress)
                && !(view.origPort == view.respPort && Arrays.equals(view.origAddress, view.respAddress));
        DirectionActivity fromOrig = forwardIsOrig ? activity.getForward() : activity.getReverse();
        DirectionActivity fromResp = forwardIsOrig ? activity.getReverse() : activity.getForward();
        applySent(view, fromOrig, true);
        applySent(view, fromResp, false);
        if (view.protocol == FlowKey.TCP) {
            TcpAnalyzer.applyAcknowledgement(view, fromOrig, view.resp);
            TcpAnalyzer.applyAcknowledgement(view, fromResp, view.orig);
        }
    }

    private static void applySent(ConnectionView view, DirectionActivity sent, boolean isOrig) {
        if (sent.getPackets() == 0) {
            return;
        }
        long ts = sent.getLastTsMicros();
        view.lastPacketMicros = Math.max(view.lastPacketMicros, ts);
        if (view.protocol == FlowKey.TCP) {
            if (isOrig) {
                view.origPackets += sent.getPackets();
            } else {
                view.respPackets += sent.getPackets();
            }
            TcpAnalyzer.applySent(view, sent, isOrig, ts);
        } else {
            DatagramAnalyzer.applySent(view, sent, isOrig, ts);
        }
    }
}
