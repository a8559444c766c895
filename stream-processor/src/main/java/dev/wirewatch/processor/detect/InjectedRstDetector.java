package dev.wirewatch.processor.detect;

import dev.wirewatch.processor.alert.AlertIds;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.flow.ConnectionView;
import dev.wirewatch.processor.flow.DetectionContext;
import dev.wirewatch.processor.flow.FlowDetector;
import dev.wirewatch.processor.flow.FlowState;
import dev.wirewatch.processor.flow.Verdict;
import dev.wirewatch.record.Alert;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.Times;
import java.util.Optional;

/**
 * INJECTED_RST: a RST arrives at one end from the other end's address, and the other end's own sensor (alive,
 * capturing the interface that holds that address) never saw it leave. Something in between forged it: a
 * firewall's REJECT with tcp-reset, an IPS, a load balancer that dropped the session. Judged once the sender's
 * sensor had time to report the RST ({@code clock-skew} plus {@code half-open-grace}).
 */
public final class InjectedRstDetector implements FlowDetector {
    public static final String TYPE = "INJECTED_RST";

    @Override
    public String type() {
        return TYPE;
    }

    /** The service stage reports it, and with it explains a HALF_OPEN_SESSION on the same connection. */
    @Override
    public Handoff handoff() {
        return Handoff.SERVICE_STAGE;
    }

    @Override
    public long dueAtMicros(FlowState flow, ProcessorConfig config) {
        return FlowDetector.settlesAfter(flow, config, ConnectionView.Sent::firstRstMicros);
    }

    @Override
    public Verdict judge(FlowState flow, DetectionContext context) {
        if (flow.views().size() < 2) {
            return context.inputEnded() ? Verdict.NOTHING_TO_REPORT : Verdict.PENDING;
        }
        boolean pending = false;
        for (VantagePair pair : VantagePair.of(flow, context)) {
            ConnectionView.Sent arrived = pair.sentThere();
            if (!arrived.reset() || pair.sentHere().reset()) {
                continue;
            }
            long rst = arrived.firstRstMicros();
            long settledAt = rst + context.config().clockSkewMicros() + context.config().halfOpenGraceMicros();
            if (!context.inputEnded() && context.nowMicros() < settledAt) {
                pending = true;
                continue;
            }
            if (pair.sideWatchedUntil(context, rst + context.config().clockSkewMicros())) {
                return new Verdict.Settled(Optional.of(alert(flow, pair, rst, context)));
            }
            pending |= context.nowMicros() < settledAt + context.config().sensorSilenceMicros();
        }
        return pending && !context.inputEnded() ? Verdict.PENDING : Verdict.NOTHING_TO_REPORT;
    }

    private static Alert alert(FlowState flow, VantagePair pair, long rstMicros, DetectionContext context) {
        ConnectionView primary = flow.primary();
        String client = primary.originatorEndpoint();
        String server = primary.responderEndpoint();
        String sender = Addresses.endpoint(pair.sideAddress(), pair.sidePort());
        String victim = pair.peer().vantage().host();
        String missingAt = pair.sideHost().host().name();
        String summary = String.format("%s received a RST from %s at %s that %s never sent: something between the "
                        + "hosts reset the connection %s > %s; %s may still hold it.", victim, sender,
                Times.iso(rstMicros), missingAt, client, server, missingAt);
        String hint = "Look for a device on the path that resets connections on its own: a firewall rule with REJECT "
                + "--reject-with tcp-reset (`iptables -S | grep tcp-reset`), an IPS or load balancer that ended the "
                + "session (idle timeout, policy), or a NAT that lost its mapping. Compare the RST's TTL and IP ID "
                + "with the sender's other packets to find how many hops away it was made.";
        return Alert.newBuilder()
                .setId(AlertIds.of(TYPE, primary.firstSeenMicros(), client, server, sender))
                .setType(TYPE)
                .setSeverity(context.config().severity(TYPE))
                .setHost(victim)
                .setClient(client)
                .setServer(server)
                .setMissingAt(missingAt)
                .setObservedBy(FlowEvidence.observers(flow))
                .setFirstSeenMicros(rstMicros)
                .setLastSeenMicros(rstMicros)
                .setCount(1)
                .setCommunityId(primary.communityId())
                .setSummary(summary)
                .setHint(hint)
                .setEvidence(FlowEvidence.lines(flow))
                .build();
    }
}
