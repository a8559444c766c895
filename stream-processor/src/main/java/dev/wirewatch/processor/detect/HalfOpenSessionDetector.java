package dev.wirewatch.processor.detect;

import dev.wirewatch.processor.alert.AlertIds;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.flow.Absent;
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
 * HALF_OPEN_SESSION, first half: one side gave up on an established session (its own sensor saw it send a RST or
 * a FIN) and the other side's sensor, alive and capturing the interface that holds its address, saw none of that
 * and saw the other side end nothing either, {@code clock-skew} plus {@code half-open-grace} later. That side still
 * holds the session: the "user already logged in" symptom after a middlebox dropped an idle connection.
 *
 * <p>The finding goes on to the service stage ({@link HalfOpenSessionReport}), which knows the client's other
 * connections to the same service and adds {@code reconnected}.
 */
public final class HalfOpenSessionDetector implements FlowDetector {
    public static final String TYPE = "HALF_OPEN_SESSION";

    @Override
    public String type() {
        return TYPE;
    }

    /** The service stage adds {@code reconnected} and explains it by a KEEPALIVE_UNANSWERED or INJECTED_RST. */
    @Override
    public Handoff handoff() {
        return Handoff.SERVICE_STAGE;
    }

    @Override
    public long dueAtMicros(FlowState flow, ProcessorConfig config) {
        return FlowDetector.settlesAfter(flow, config, HalfOpenSessionDetector::gaveUp);
    }

    /** When a side ended the session from its end: its first RST, else its first FIN; MIN_VALUE if neither. */
    private static long gaveUp(ConnectionView.Sent sent) {
        return sent.reset() ? sent.firstRstMicros() : sent.closed() ? sent.firstFinMicros() : Absent.NONE;
    }

    @Override
    public Verdict judge(FlowState flow, DetectionContext context) {
        boolean pending = false;
        for (VantagePair pair : VantagePair.of(flow, context)) {
            ConnectionView.Sent here = pair.sentHere();
            ConnectionView.Sent there = pair.sentThere();
            ConnectionView.Sent peerOwn = pair.peerSentThere();
            long gaveUp = gaveUp(here);
            boolean sessionAtPeer = pair.peer().view().sawHandshake() || (there.packets() > 0 && peerOwn.packets() > 0);
            if (gaveUp == Absent.NONE || there.reset() || there.closed() || !sessionAtPeer
                    || peerOwn.reset() || peerOwn.closed()) {
                continue;
            }
            long skew = context.config().clockSkewMicros();
            long settledAt = gaveUp + skew + context.config().halfOpenGraceMicros();
            if (!context.inputEnded() && context.nowMicros() < settledAt) {
                pending = true;
                continue;
            }
            if (pair.peerWatchedUntil(context, context.inputEnded() ? gaveUp + skew : settledAt)) {
                return new Verdict.Settled(Optional.of(alert(flow, pair, here, there, gaveUp, context)));
            }
            pending |= !context.inputEnded() && context.nowMicros() < settledAt + context.config().sensorSilenceMicros();
        }
        return pending ? Verdict.PENDING : Verdict.NOTHING_TO_REPORT;
    }

    private static Alert alert(FlowState flow, VantagePair pair, ConnectionView.Sent here, ConnectionView.Sent there,
                               long gaveUp, DetectionContext context) {
        ConnectionView primary = flow.primary();
        String client = primary.originatorEndpoint();
        String server = primary.responderEndpoint();
        String quitter = Addresses.endpoint(pair.sideAddress(), pair.sidePort());
        String holder = pair.peerHost().host().name();
        long lost = Math.max(0, here.packets() - there.packets());
        long quietSince = there.lastMicros();
        String how = here.reset() ? "reset" : "closed";
        String peerEndpoint = Addresses.endpoint(pair.peerAddress(), pair.peerPort());
        String summary = String.format("%s %s its session with %s at %s, but %s never saw that: %d packet%s from %s "
                        + "since %s never arrived, so %s still holds a session the other end has given up.",
                quitter, how, peerEndpoint, Times.iso(gaveUp), holder, lost, lost == 1 ? "" : "s", quitter,
                Times.iso(quietSince), holder);
        String hint = "A stateful middlebox (firewall, NAT, router with connection tracking) most likely dropped the "
                + "idle session and then discarded its packets. Enable TCP keep-alive on the long-lived connection with "
                + "an idle time below the middlebox's idle timeout (SO_KEEPALIVE with TCP_KEEPIDLE, or "
                + "net.ipv4.tcp_keepalive_time on Linux; KeepAliveTime on Windows), or raise that timeout; let the "
                + "server expire sessions whose connection is idle so a reconnecting user is not refused.";
        return Alert.newBuilder()
                .setId(AlertIds.of(TYPE, primary.firstSeenMicros(), client, server, holder))
                .setType(TYPE)
                .setSeverity(context.config().severity(TYPE))
                .setHost(holder)
                .setClient(client)
                .setServer(server)
                .setMissingAt(holder)
                .setObservedBy(FlowEvidence.observers(flow))
                .setFirstSeenMicros(quietSince)
                .setLastSeenMicros(gaveUp)
                .setCount(lost)
                .setCommunityId(primary.communityId())
                .setSummary(summary)
                .setHint(hint)
                .setEvidence(FlowEvidence.lines(flow))
                .build();
    }
}
