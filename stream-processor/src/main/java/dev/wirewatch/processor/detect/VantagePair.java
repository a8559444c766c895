package dev.wirewatch.processor.detect;

import dev.wirewatch.processor.flow.ConnectionView;
import dev.wirewatch.processor.flow.DetectionContext;
import dev.wirewatch.processor.flow.FlowState;
import dev.wirewatch.processor.network.NetworkTopology.Location;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One side of a connection ({@code side}: its address and port) together with what its own host's sensor saw
 * ({@code own}) and what the peer host's sensor saw ({@code peer}). The pairs exist only where the topology places
 * both addresses on monitored hosts and both hosts' sensors saw the flow: that is what lets a detector say that
 * one end sent something the other end never received.
 */
record VantagePair(byte[] sideAddress, int sidePort, Location sideHost, FlowState.Seen own, byte[] peerAddress,
                   int peerPort, Location peerHost, FlowState.Seen peer) {

    /** What the side sent, as its own sensor saw it. */
    ConnectionView.Sent sentHere() {
        return own.view().sentBy(sideAddress, sidePort);
    }

    /** What the side sent, as the peer's sensor saw it. */
    ConnectionView.Sent sentThere() {
        return peer.view().sentBy(sideAddress, sidePort);
    }

    /** What the peer itself sent, as its own sensor saw it. */
    ConnectionView.Sent peerSentThere() {
        return peer.view().sentBy(peerAddress, peerPort);
    }

    /** Both orientations of the flow's connection, for every pair of distinct monitored hosts that saw it. */
    static List<VantagePair> of(FlowState flow, DetectionContext context) {
        ConnectionView primary = flow.primary();
        List<VantagePair> pairs = new ArrayList<>();
        addPair(pairs, flow, context, primary.originatorAddress(), primary.originatorPort(), primary.responderAddress(),
                primary.responderPort());
        addPair(pairs, flow, context, primary.responderAddress(), primary.responderPort(), primary.originatorAddress(),
                primary.originatorPort());
        return pairs;
    }

    private static void addPair(List<VantagePair> pairs, FlowState flow, DetectionContext context, byte[] side,
                                int sidePort, byte[] other, int otherPort) {
        Optional<Location> sideHost = context.topology().locate(side, sidePort);
        Optional<Location> peerHost = context.topology().locate(other, otherPort);
        if (sideHost.isEmpty() || peerHost.isEmpty() || sideHost.get().host().name().equals(peerHost.get().host().name())) {
            return;
        }
        Optional<FlowState.Seen> own = seenAt(flow, sideHost.get());
        Optional<FlowState.Seen> peer = seenAt(flow, peerHost.get());
        if (own.isPresent() && peer.isPresent() && own.get().view().sentBy(side, sidePort) != null
                && peer.get().view().sentBy(side, sidePort) != null) {
            pairs.add(new VantagePair(side, sidePort, sideHost.get(), own.get(), other, otherPort, peerHost.get(),
                    peer.get()));
        }
    }

    private static Optional<FlowState.Seen> seenAt(FlowState flow, Location location) {
        String host = location.host().name();
        return flow.views().stream().filter(seen -> seen.vantage().host().equals(host)).findFirst();
    }

    /**
     * The peer host's sensor counts as evidence of absence up to {@code micros}: it captures the interface holding
     * the peer's address and its ticks have reached that time.
     */
    boolean peerWatchedUntil(DetectionContext context, long micros) {
        return peerHost.captured() && context.liveness().apply(peerHost.host().name()).coveredUntil(micros);
    }

    /** The same about the side's own host. */
    boolean sideWatchedUntil(DetectionContext context, long micros) {
        return sideHost.captured() && context.liveness().apply(sideHost.host().name()).coveredUntil(micros);
    }
}
