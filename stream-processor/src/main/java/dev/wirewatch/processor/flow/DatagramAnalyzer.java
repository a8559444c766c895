package dev.wirewatch.processor.flow;

import dev.wirewatch.record.DirectionActivity;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.schemas.FlowKey;
import dev.wirewatch.schemas.tcp.TcpRules;

/**
 * UDP and ICMP (and a TCP packet without a decoded header) applied to a {@link ConnectionView}: packets and IP
 * payload counted per side, the last activity moved, and for UDP the D letter of the side that sent.
 */
final class DatagramAnalyzer {
    private DatagramAnalyzer() {}

    static void observe(ConnectionView view, PacketEvent packet, boolean isOrig, long ts) {
        count(view, isOrig, 1, 1, TcpRules.payloadEstimate(packet.getIpVersion(), packet.getIpLength(), view.protocol),
                ts);
    }

    /** A sensor's summary of what one side sent. */
    static void applySent(ConnectionView view, DirectionActivity sent, boolean isOrig, long ts) {
        count(view, isOrig, sent.getPackets(), sent.getDataPackets(), sent.getPayloadBytes(), ts);
    }

    private static void count(ConnectionView view, boolean isOrig, long packets, long dataPackets, long payload,
                              long ts) {
        if (isOrig) {
            view.origPackets += packets;
            view.origPayload += payload;
        } else {
            view.respPackets += packets;
            view.respPayload += payload;
        }
        view.lastMicros = Math.max(view.lastMicros, ts);
        if (view.protocol == FlowKey.UDP && dataPackets > 0) {
            view.history.check(isOrig, ConnectionHistory.DATA, 'D');
        }
    }
}
