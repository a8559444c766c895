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
import dev.wirewatch.processor.service.ServiceDetector;
import dev.wirewatch.record.Alert;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.Times;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * SENSOR_COVERAGE_GAP: other sensors saw an address of a monitored host send packets, and that host's own sensor —
 * alive, and capturing all its interfaces the whole time (its ticks name none as down) — has no view of the flow at
 * all: it captures another interface (the tcpdump on the internal NIC while clients come in on the public one).
 * Judged per flow when the flow stage closes it ({@link #judgeClosed}); the service stage reports a host and address once
 * per {@code coverage-gap-repeat} window ({@link #onFinding}). A sensor capturing {@code any} has a view of every flow
 * of its host and never alerts; traffic that never reached the host (SYNs lost on the way) is UNANSWERED_SYN's
 * business, not a coverage gap.
 */
public final class SensorCoverageGapDetector implements FlowDetector, ServiceDetector {
    public static final String TYPE = "SENSOR_COVERAGE_GAP";
    public static final String REPORTED_STORE = "coverage-gap-reported";

    private final ProcessorConfig config;
    // The service stage's, opened by init there; the flow stage's instance only judges flows and never reports.
    private ReportedOnce reported;
    private Consumer<Alert> alerts;

    public SensorCoverageGapDetector(ProcessorConfig config) {
        this.config = config;
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** Only a closed flow tells ({@link #judgeClosed}). */
    @Override
    public long dueAtMicros(FlowState flow, ProcessorConfig config) {
        return Absent.NEVER;
    }

    /** Never settled before the flow closes: only then does it tell ({@link #judgeClosed}). */
    @Override
    public Verdict judge(FlowState flow, DetectionContext context) {
        return Verdict.PENDING;
    }

    /** The service stage reports a host and address once per interval. */
    @Override
    public Handoff handoff() {
        return Handoff.SERVICE_STAGE;
    }

    /** Keyed by the address the host's sensor missed, so that its findings from every flow meet. */
    @Override
    public byte[] serviceStageKey(FlowState flow, Alert alert) {
        return Addresses.parse(alert.getIp());
    }

    @Override
    public Set<String> types() {
        return Set.of(TYPE);
    }

    @Override
    public List<StoreBuilder<?>> stores() {
        return List.of(ReportedOnce.store(REPORTED_STORE));
    }

    @Override
    public void init(ProcessorContext<?, ?> context, Consumer<Alert> alerts) {
        this.reported = ReportedOnce.open(context, REPORTED_STORE, config.coverageGapRepeatMicros());
        this.alerts = alerts;
    }

    /** A per-flow finding from the flow stage; the first for its host and address in the interval goes out. */
    @Override
    public void onFinding(Alert finding) {
        if (finding.getType().equals(TYPE) && reported.firstInWindow(finding.getHost() + "|" + finding.getIp(), finding.getFirstSeenMicros())) {
            alerts.accept(finding);
        }
    }

    /** A closed flow: does an endpoint belong to a live monitored host whose sensor did not see the flow? */
    @Override
    public Optional<Alert> judgeClosed(FlowState flow, DetectionContext context) {
        ConnectionView primary = flow.primary();
        byte[][] addresses = {primary.responderAddress(), primary.originatorAddress()};
        int[] ports = {primary.responderPort(), primary.originatorPort()};
        for (int side = 0; side < 2; side++) {
            Optional<Location> owner = context.topology().locate(addresses[side], ports[side]);
            if (owner.isEmpty()) {
                continue;
            }
            String host = owner.get().host().name();
            boolean ownView = flow.views().stream().anyMatch(seen -> seen.vantage().host().equals(host));
            // any capture of the host down meanwhile: it may be that one, not a wrong interface choice
            boolean watching = context.liveness().apply(host).watched(null, flow.firstSeenMicros(), flow.lastSeenMicros());
            long sent = 0;
            for (FlowState.Seen seen : flow.views()) {
                sent = Math.max(sent, seen.view().sentBy(addresses[side], ports[side]).packets());
            }
            if (!ownView && watching && sent > 0) {
                return Optional.of(alert(flow, owner.get(), addresses[side], ports[side], sent, context));
            }
        }
        return Optional.empty();
    }

    private static Alert alert(FlowState flow, Location owner, byte[] address, int port, long sent,
                               DetectionContext context) {
        ConnectionView primary = flow.primary();
        String host = owner.host().name();
        String ip = Addresses.ip(address);
        String iface = owner.iface().name();
        List<String> captured = owner.host().capture();
        String capturing = captured.isEmpty() ? "" : " (it captures " + String.join(", ", captured) + ")";
        List<String> observers = FlowEvidence.observers(flow);
        return Alert.newBuilder()
                .setId(AlertIds.of(TYPE, ReportedOnce.windowStart(flow.firstSeenMicros(),
                        context.config().coverageGapRepeatMicros()), host, ip))
                .setType(TYPE)
                .setSeverity(context.config().severity(TYPE))
                .setHost(host)
                .setIp(ip)
                .setClient(primary.originatorEndpoint())
                .setServer(primary.responderEndpoint())
                .setMissingAt(host)
                .setObservedBy(observers)
                .setFirstSeenMicros(flow.firstSeenMicros())
                .setLastSeenMicros(flow.lastSeenMicros())
                .setCount(sent)
                .setCommunityId(primary.communityId())
                .setSummary(String.format("%s's sensor%s saw none of %s > %s, although %s saw %d packet%s from %s "
                                + "(%s on %s) between %s and %s: it is not capturing the interface that carries that "
                                + "address.", host, capturing, primary.originatorEndpoint(), primary.responderEndpoint(),
                        String.join(", ", observers), sent, sent == 1 ? "" : "s", Addresses.endpoint(address, port),
                        ip, iface, Times.iso(flow.firstSeenMicros()), Times.iso(flow.lastSeenMicros())))
                .setHint(String.format("Capture where %s lives: `wirewatch sensor --interface %s` (or `tcpdump -i %s`) on "
                        + "%s, or `--interface any` to see every interface. If a NAT or load balancer sits in front, "
                        + "capture on the side that carries the translated address and list the translation under `nat` "
                        + "in the topology. On Windows, pick the adapter that holds the address (`Get-NetIPAddress "
                        + "-IPAddress %s`).", ip, iface, iface, host, ip))
                .setEvidence(FlowEvidence.lines(flow))
                .build();
    }
}
