package dev.wirewatch.processor.detect;

import dev.wirewatch.processor.alert.AlertIds;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.flow.Absent;
import dev.wirewatch.processor.flow.ConnectionView;
import dev.wirewatch.processor.flow.DetectionContext;
import dev.wirewatch.processor.flow.FlowDetector;
import dev.wirewatch.processor.flow.FlowState;
import dev.wirewatch.processor.flow.Verdict;
import dev.wirewatch.processor.network.NetworkTopology.Location;
import dev.wirewatch.record.Alert;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.Times;
import java.util.Optional;

/**
 * KEEPALIVE_UNANSWERED: one side's TCP keep-alive probes (seq = next - 1, 0 or 1 byte) get no answer, at least
 * {@code keepalive-probes} in a row. A probe counts as unanswered once the next one went out with nothing from the
 * peer in between, or once {@code clock-skew} plus {@code half-open-grace} passed after it, or once the prober gave
 * up (RST) — the kernel's verdict. Read from the prober's own sensor where the topology places it, else from any
 * vantage. The usual story: a middlebox forgot the idle session, so the probes die on the way.
 */
public final class KeepAliveUnansweredDetector implements FlowDetector {
    public static final String TYPE = "KEEPALIVE_UNANSWERED";

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
        return FlowDetector.settlesAfter(flow, config,
                sent -> sent.probeRun() > 0 ? sent.probeRunLastMicros() : Absent.NONE);
    }

    @Override
    public Verdict judge(FlowState flow, DetectionContext context) {
        ConnectionView primary = flow.primary();
        byte[][] addresses = {primary.originatorAddress(), primary.responderAddress()};
        int[] ports = {primary.originatorPort(), primary.responderPort()};
        boolean pending = false;
        for (int side = 0; side < 2; side++) {
            Optional<Location> prober = context.topology().locate(addresses[side], ports[side]);
            for (FlowState.Seen seen : flow.views()) {
                if (prober.isPresent() && !prober.get().host().name().equals(seen.vantage().host())
                        && flow.views().stream().anyMatch(v -> v.vantage().host().equals(prober.get().host().name()))) {
                    continue; // the prober's own sensor saw the flow: its account is the one that counts
                }
                ConnectionView.Sent sent = seen.view().sentBy(addresses[side], ports[side]);
                long runSettles = sent.probeRunLastMicros() + context.config().clockSkewMicros()
                        + context.config().halfOpenGraceMicros();
                boolean runOver = context.inputEnded() || sent.reset() || context.nowMicros() >= runSettles;
                int unanswered = Math.max(sent.provenUnansweredProbes(), runOver ? sent.probeRun() : sent.probeRun() - 1);
                if (unanswered >= context.config().keepaliveProbes()) {
                    return new Verdict.Settled(Optional.of(alert(flow, seen, addresses[side], ports[side], sent,
                            unanswered, context)));
                }
                pending |= sent.probeRun() > 0 && !runOver;
            }
        }
        return pending ? Verdict.PENDING : Verdict.NOTHING_TO_REPORT;
    }

    private static Alert alert(FlowState flow, FlowState.Seen seen, byte[] proberAddress, int proberPort,
                               ConnectionView.Sent sent, int unanswered, DetectionContext context) {
        ConnectionView primary = flow.primary();
        String client = primary.originatorEndpoint();
        String server = primary.responderEndpoint();
        String prober = Addresses.endpoint(proberAddress, proberPort);
        String host = context.topology().locate(proberAddress, proberPort).map(location -> location.host().name())
                .orElse(seen.vantage().host());
        boolean fromRun = sent.probeRun() >= unanswered;
        long first = fromRun ? sent.probeRunFirstMicros() : primary.firstSeenMicros();
        long last = fromRun ? sent.probeRunLastMicros() : primary.lastSeenMicros();
        String summary = String.format("%s sent %d TCP keep-alive probe%s on %s > %s between %s and %s and got no "
                        + "answer%s.", prober, unanswered, unanswered == 1 ? "" : "s", client, server, Times.iso(first),
                Times.iso(last), sent.reset() ? "; it then reset the connection" : "");
        String hint = "The peer or something on the path no longer knows this connection: a stateful firewall, NAT or "
                + "router whose idle timeout is shorter than the keep-alive idle time. Lower the keep-alive idle time "
                + "below that timeout (Linux: net.ipv4.tcp_keepalive_time or TCP_KEEPIDLE per socket; Windows: "
                + "KeepAliveTime) or raise the middlebox's TCP idle timeout.";
        return Alert.newBuilder()
                .setId(AlertIds.of(TYPE, first, client, server, prober))
                .setType(TYPE)
                .setSeverity(context.config().severity(TYPE))
                .setHost(host)
                .setClient(client)
                .setServer(server)
                .setObservedBy(FlowEvidence.observers(flow))
                .setFirstSeenMicros(first)
                .setLastSeenMicros(last)
                .setCount(unanswered)
                .setCommunityId(primary.communityId())
                .setSummary(summary)
                .setHint(hint)
                .setEvidence(FlowEvidence.lines(flow))
                .build();
    }
}
