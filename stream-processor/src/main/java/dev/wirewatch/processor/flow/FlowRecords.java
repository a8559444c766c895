package dev.wirewatch.processor.flow;

import dev.wirewatch.record.FlowRecord;
import dev.wirewatch.record.VantageView;
import java.util.ArrayList;
import java.util.List;

/** A closed (or judged) flow as ww.flows and the service stage read it: the connection and every vantage's view. */
final class FlowRecords {
    private FlowRecords() {}

    static FlowRecord of(FlowState flow) {
        ConnectionView primary = flow.primary();
        List<VantageView> vantages = new ArrayList<>();
        for (FlowState.Seen seen : flow.views()) {
            ConnectionView view = seen.view();
            vantages.add(VantageView.newBuilder()
                    .setHost(seen.vantage().host())
                    .setIface(seen.vantage().iface())
                    .setConnState(view.connState())
                    .setHistory(view.history())
                    .setOrigPackets(view.originatorPackets())
                    .setOrigBytes(view.originatorBytes())
                    .setRespPackets(view.responderPackets())
                    .setRespBytes(view.responderBytes())
                    .setFirstSeenMicros(view.firstSeenMicros())
                    .setLastSeenMicros(view.lastSeenMicros())
                    .setSynCount(view.synCount())
                    .setHandshakeRttMicros(view.handshakeRttMicros())
                    .setSynTsVal(view.synTsVal())
                    .setSynAnswered(view.synAnswered())
                    .build());
        }
        return FlowRecord.newBuilder()
                .setCommunityId(primary.communityId())
                .setProtocol(primary.protocol())
                .setClient(primary.originatorIp())
                .setClientPort(primary.originatorPort())
                .setServer(primary.responderIp())
                .setServerPort(primary.responderPort())
                .setFirstSeenMicros(flow.firstSeenMicros())
                .setLastSeenMicros(flow.lastSeenMicros())
                .setVantages(vantages)
                .build();
    }
}
