package dev.wirewatch.processor.detect;

import dev.wirewatch.processor.alert.AlertIds;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.flow.Absent;
import dev.wirewatch.processor.flow.ConnectionView;
import dev.wirewatch.processor.flow.DetectionContext;
import dev.wirewatch.processor.flow.FlowDetector;
import dev.wirewatch.processor.flow.FlowState;
import dev.wirewatch.processor.flow.SensorLiveness;
import dev.wirewatch.processor.flow.Vantage;
import dev.wirewatch.processor.flow.Verdict;
import dev.wirewatch.processor.network.NetworkTopology.Location;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Evidence;
import dev.wirewatch.schemas.Times;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * UNANSWERED_SYN: a client's SYN (usually retransmitted) got no SYN-ACK and no RST. Comparing the vantages
 * says where it broke:
 * <ul>
 *   <li>{@code DROPPED_AT_SERVER_HOST}: the server's sensor saw the SYN arrive and no SYN-ACK leave;</li>
 *   <li>{@code SYNACK_LOST_ON_RETURN}: the server answered but the client's sensor never saw the answer;</li>
 *   <li>{@code LOST_BEFORE_SERVER}: the server's live sensor captures the interface holding the address and never saw the SYN;</li>
 *   <li>{@code NO_ANSWER}: only one side is monitored, or the server's capture was down during the attempts (its
 *   ticks said so): a blind vantage is no evidence of absence.</li>
 * </ul>
 * Silent on purpose: a client that sent anything but SYNs was answered (the capture just missed the answer, as in
 * one-direction captures); a retransmitted SYN that is answered later; a SYN at the end of a capture that had no
 * time to be answered.
 */
public final class UnansweredSynDetector implements FlowDetector {
    public static final String TYPE = "UNANSWERED_SYN";

    @Override
    public String type() {
        return TYPE;
    }

    /** The latest SYN's answer time, while the client sent nothing but SYNs; a flow without a SYN is never due. */
    @Override
    public long dueAtMicros(FlowState flow, ProcessorConfig config) {
        ConnectionView primary = flow.primary();
        if (primary.synCount() == 0 || !primary.originatorSentOnlySyns()) {
            return Absent.NEVER;
        }
        long lastSyn = flow.views().stream().mapToLong(seen -> seen.view().lastSynMicros()).max()
                .orElse(Absent.NONE);
        return lastSyn + config.synAnswerTimeoutMicros() + config.clockSkewMicros();
    }

    @Override
    public boolean settlesAtDue() {
        return true;
    }

    /** The service stage asks whether a route mismatch or a PAWS drop explains it, with the flow as it stands. */
    @Override
    public Handoff handoff() {
        return Handoff.SERVICE_STAGE_WITH_FLOW;
    }

    @Override
    public Verdict judge(FlowState flow, DetectionContext context) {
        ConnectionView primary = flow.primary();
        if (primary.synCount() == 0) {
            return Verdict.PENDING; // not a connection attempt (yet): nothing to settle
        }
        byte[] clientIp = primary.originatorAddress();
        byte[] serverIp = primary.responderAddress();
        Optional<Location> clientLocation = context.topology().locate(clientIp, primary.originatorPort());
        Optional<Location> serverLocation = context.topology().locate(serverIp, primary.responderPort());
        Optional<FlowState.Seen> serverSide = seenAt(flow, serverLocation);
        Optional<FlowState.Seen> clientSide = seenAt(flow, clientLocation);

        // The client's own evidence: its sensor, else every vantage that is not the server's.
        List<FlowState.Seen> clientEvidence = clientSide.map(List::of).orElseGet(() -> flow.views().stream()
                .filter(seen -> serverSide.isEmpty() || seen != serverSide.get()).toList());
        if (clientEvidence.isEmpty()) {
            clientEvidence = List.of(serverSide.get());
        }
        for (FlowState.Seen seen : clientEvidence) {
            ConnectionView view = seen.view();
            if (view.sawSynAck() || view.sawRstFromResponder() || !view.originatorSentOnlySyns()) {
                return Verdict.NOTHING_TO_REPORT;
            }
        }
        ConnectionView attempts = clientEvidence.stream().map(FlowState.Seen::view)
                .filter(view -> view.synCount() > 0).findFirst().orElse(primary);
        long timeout = context.config().synAnswerTimeoutMicros();
        long firstSyn = attempts.firstSynMicros();
        long lastSyn = attempts.lastSynMicros();
        if (context.inputEnded()) {
            long observedAfterFirst = context.captureEndMicros() - firstSyn;
            long observedAfterLast = context.captureEndMicros() - lastSyn;
            boolean hadTime = observedAfterFirst >= timeout && (attempts.synCount() >= 2 || observedAfterLast >= timeout);
            if (!hadTime) {
                return Verdict.NOTHING_TO_REPORT;
            }
        } else if (context.nowMicros() < lastSyn + timeout + context.config().clockSkewMicros()) {
            return Verdict.PENDING;
        } else if (serverSide.isEmpty() && serverLocation.filter(Location::captured)
                .map(location -> context.liveness().apply(location.host().name()))
                .filter(server -> behind(server, lastSyn, context)).isPresent()
                && context.nowMicros() < lastSyn + timeout + context.config().clockSkewMicros()
                        + context.config().sensorSilenceMicros()) {
            // The server's sensor has not reported that far yet (a cold start, a slow path to Kafka): what it saw
            // decides between a drop at the server and a loss on the way, so wait for it a while.
            return Verdict.PENDING;
        }

        String cause;
        String host = null;
        String missingAt = null;
        // A server capture that was down at some moment of the attempts has no say on what did not arrive or leave.
        Optional<Location> blindServer = serverLocation.filter(location -> location.captured() && context.liveness()
                .apply(location.host().name()).blindOver(location.iface().name(), firstSyn,
                        lastSyn + context.config().clockSkewMicros()));
        if (serverSide.isPresent() && serverSide.get().view().sawSynAck()) {
            cause = "SYNACK_LOST_ON_RETURN";
            host = serverSide.get().vantage().host();
            missingAt = clientSide.map(seen -> seen.vantage().host()).orElse(null);
        } else if (blindServer.isPresent()) {
            cause = "NO_ANSWER";
            host = clientSide.map(seen -> seen.vantage().host()).orElse(null);
        } else if (serverSide.isPresent() && serverSide.get().view().synCount() > 0) {
            cause = "DROPPED_AT_SERVER_HOST";
            host = serverSide.get().vantage().host();
        } else if (serverSide.isEmpty() && serverLocation.isPresent() && serverLocation.get().captured()
                && context.liveness().apply(serverLocation.get().host().name())
                        .coveredUntil(lastSyn + context.config().clockSkewMicros())) {
            cause = "LOST_BEFORE_SERVER";
            host = serverLocation.get().host().name();
            missingAt = host;
        } else if (serverSide.isPresent()) {
            // The server's sensor saw this flow but not the SYN, and no answer left: treat as lost on the way.
            cause = "LOST_BEFORE_SERVER";
            host = serverSide.get().vantage().host();
            missingAt = host;
        } else {
            cause = "NO_ANSWER";
            host = clientSide.map(seen -> seen.vantage().host()).orElse(null);
        }
        return new Verdict.Settled(Optional.of(alert(flow, attempts, cause, host, missingAt, blindServer, context)));
    }

    /**
     * The server's sensor may still report the attempts: it has not ticked past them, yet it is no stopped, ended or
     * long-silent sensor (whose view will not come: waiting would only delay the alert, or lose it with the flow).
     */
    private static boolean behind(SensorLiveness server, long lastSyn, DetectionContext context) {
        return !server.coveredUntil(lastSyn + context.config().clockSkewMicros()) && !server.stopped() && !server.ended()
                && (server.lastTickMicros() == Absent.NONE
                        || context.nowMicros() - server.lastTickMicros() <= context.config().sensorSilenceMicros());
    }

    private static Optional<FlowState.Seen> seenAt(FlowState flow, Optional<Location> location) {
        if (location.isEmpty()) {
            return Optional.empty();
        }
        String host = location.get().host().name();
        return flow.views().stream().filter(seen -> seen.vantage().host().equals(host)).findFirst();
    }

    private static Alert alert(FlowState flow, ConnectionView attempts, String cause, String host, String missingAt,
                               Optional<Location> blindServer, DetectionContext context) {
        String client = attempts.originatorEndpoint();
        String server = attempts.responderEndpoint();
        List<String> observedBy = new ArrayList<>();
        List<Evidence> evidence = new ArrayList<>();
        for (FlowState.Seen seen : flow.views()) {
            Vantage vantage = seen.vantage();
            ConnectionView view = seen.view();
            if (!observedBy.contains(vantage.host())) {
                observedBy.add(vantage.host());
            }
            evidence.add(Evidence.newBuilder().setHost(vantage.host()).setIface(vantage.iface())
                    .setTsMicros(view.firstSeenMicros())
                    .setLine(view.originatorEndpoint() + " > " + view.responderEndpoint() + ": " + view.synCount()
                            + " SYN, history " + view.history() + ", conn_state " + view.connState())
                    .build());
        }
        int count = attempts.synCount();
        String dropReason = cause.equals("DROPPED_AT_SERVER_HOST") ? flow.dropReason(host).orElse(null) : null;
        String kernelSays = dropReason == null ? "" : " Its kernel gave the reason " + dropReason + " ("
                + KernelDropReasons.meaning(dropReason) + ").";
        String span = Times.seconds(attempts.lastSynMicros() - attempts.firstSynMicros());
        String summary = switch (cause) {
            case "DROPPED_AT_SERVER_HOST" -> String.format(
                    "%d SYNs from %s to %s over %s reached %s and were never answered: the server host dropped them.%s",
                    count, client, server, span, host, kernelSays);
            case "SYNACK_LOST_ON_RETURN" -> String.format(
                    "%s answered %d SYNs from %s with a SYN-ACK that never reached the client%s.",
                    host, count, client, missingAt == null ? "" : "'s sensor on " + missingAt);
            case "LOST_BEFORE_SERVER" -> String.format(
                    "%d SYNs from %s to %s over %s never reached %s, whose sensor was capturing: lost on the way.",
                    count, client, server, span, host);
            default -> blindServer.map(blind -> String.format("%d SYNs from %s to %s over %s got no SYN-ACK and no RST "
                    + "that a sensor saw; the server side was not captured then (%s's capture of %s was down at the "
                    + "time), so where they were lost is unknown.", count, client, server, span, blind.host().name(),
                    blind.iface().name())).orElse(String.format(
                    "%d SYNs from %s to %s over %s got no SYN-ACK and no RST (only the client side is monitored).",
                    count, client, server, span));
        };
        String port = server.substring(server.lastIndexOf(':') + 1);
        String hint = switch (cause) {
            case "DROPPED_AT_SERVER_HOST" -> (dropReason == null ? "" : KernelDropReasons.advice(dropReason))
                    + "A closed port answers RST, so silence means a filter on " + host
                    + ": check its firewall for a DROP of tcp port " + port
                    + " (Linux: `iptables -S INPUT`, `nft list ruleset`; Windows: allow the program through Windows "
                    + "Defender Firewall for both private and public networks). A full accept queue "
                    + "(`ss -ltn`, `nstat TcpExtListenDrops`) also drops SYNs silently.";
            case "SYNACK_LOST_ON_RETURN" -> "Follow the return path from " + host + " to the client: asymmetric "
                    + "routing, a stateful firewall that never saw the SYN, or reverse-path filtering (rp_filter).";
            case "LOST_BEFORE_SERVER" -> "Check the path between the hosts: routes, network firewalls and security "
                    + "groups for tcp port " + port + ", and that " + server + " is the address the server really holds.";
            default -> blindServer.map(blind -> "Check " + blind.host().name() + "'s sensor (its /health and log say "
                    + "why the capture of " + blind.iface().name() + " stopped); meanwhile check that ").orElse(
                    "Monitor the server side too to localise the loss; meanwhile check that ") + server
                    + " is reachable and that no firewall drops tcp port " + port + ".";
        };
        return Alert.newBuilder()
                .setId(AlertIds.of(TYPE, attempts.firstSynMicros(), client, server))
                .setType(TYPE)
                .setSeverity(context.config().severity(TYPE))
                .setCause(cause)
                .setDropReason(dropReason)
                .setHost(host)
                .setClient(client)
                .setServer(server)
                .setMissingAt(missingAt)
                .setObservedBy(observedBy)
                .setFirstSeenMicros(attempts.firstSynMicros())
                .setLastSeenMicros(attempts.lastSynMicros())
                .setCount(count)
                .setCommunityId(attempts.communityId())
                .setSummary(summary)
                .setHint(hint)
                .setEvidence(evidence)
                .build();
    }
}
