package dev.wirewatch.processor.detect;

import dev.wirewatch.processor.flow.ConnectionView;
import dev.wirewatch.processor.flow.FlowState;
import dev.wirewatch.record.Evidence;
import java.util.ArrayList;
import java.util.List;

/** Each vantage's one-line account of a flow, and the hosts that saw it: the evidence part of an alert. */
final class FlowEvidence {
    private FlowEvidence() {}

    static List<Evidence> lines(FlowState flow) {
        List<Evidence> lines = new ArrayList<>();
        for (FlowState.Seen seen : flow.views()) {
            ConnectionView view = seen.view();
            lines.add(Evidence.newBuilder().setHost(seen.vantage().host()).setIface(seen.vantage().iface())
                    .setTsMicros(view.firstSeenMicros())
                    .setLine(view.originatorEndpoint() + " > " + view.responderEndpoint() + ": history " + view.history()
                            + ", conn_state " + view.connState() + ", packets " + view.originatorPackets() + "/"
                            + view.responderPackets())
                    .build());
        }
        return lines;
    }

    static List<String> observers(FlowState flow) {
        return flow.views().stream().map(seen -> seen.vantage().host()).distinct().toList();
    }
}
