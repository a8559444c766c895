package dev.wirewatch.processor.detect;

import dev.wirewatch.processor.alert.AlertIds;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.flow.Absent;
import dev.wirewatch.processor.flow.ConnectionView;
import dev.wirewatch.processor.flow.DetectionContext;
import dev.wirewatch.processor.flow.FlowDetector;
import dev.wirewatch.processor.flow.FlowState;
import dev.wirewatch.processor.flow.RedirectWatch;
import dev.wirewatch.processor.flow.Verdict;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Severity;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.FlowKey;
import dev.wirewatch.schemas.Times;
import java.util.List;
import java.util.Optional;

/**
 * ICMP_REDIRECT_IGNORED: a router told a host, with ICMP redirects, to reach a destination through another next hop,
 * and the host's own sensor shows it still sending there through the router's MAC after {@code redirect-grace}. A
 * host that follows the redirect (its packets go to another MAC) is fine. The host's packets are watched for {@code
 * redirect-observe-window} after the grace (the flow is kept that long), and the alert comes a few seconds after the
 * first one through the old next hop ({@link RedirectWatch#evidenceDueMicros}), not when the window ends. {@code
 * loss}: the destination answered fewer packets than the host sent the old way in those seconds (echo, UDP), or TCP
 * retransmitted after the redirect; it raises the severity one level.
 */
public final class IcmpRedirectIgnoredDetector implements FlowDetector {
    public static final String TYPE = "ICMP_REDIRECT_IGNORED";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public long dueAtMicros(FlowState flow, ProcessorConfig config) {
        return flow.redirect().map(watch -> watch.evidenceDueMicros(config)).orElse(Absent.NEVER);
    }

    /** A redirect is watched for minutes: its flow stays while it is, though the host may pause longer than the flow's
     * idle timeout (a ping every few minutes) before it sends to the destination again. */
    @Override
    public long keepsFlowUntilMicros(FlowState flow, ProcessorConfig config) {
        return flow.redirect().map(watch -> watch.evidenceDueMicros(config)).orElse(Absent.NONE);
    }

    /** A packet went the old way: that always settles with an alert, so until it has, one is owed. */
    @Override
    public boolean overdue(FlowState flow) {
        return flow.redirect().map(watch -> watch.viaOld() > 0).orElse(false);
    }

    @Override
    public Verdict judge(FlowState flow, DetectionContext context) {
        Optional<RedirectWatch> redirect = flow.redirect();
        if (redirect.isEmpty()) {
            return Verdict.NOTHING_TO_REPORT;
        }
        RedirectWatch watch = redirect.get();
        long due = dueAtMicros(flow, context.config());
        // Stream time runs ahead of a sensor that ships a flow's second of packets at once: the evidence is in when
        // the host's own sensor has ticked past it (or has kept us waiting too long).
        boolean evidenceIn = context.inputEnded() || (context.nowMicros() >= due
                && (context.liveness().apply(watch.vantage().host()).coveredUntil(due)
                    || context.nowMicros() >= due + context.config().sensorSilenceMicros()));
        if (!evidenceIn) {
            return Verdict.PENDING;
        }
        if (watch.viaOld() == 0) {
            return Verdict.NOTHING_TO_REPORT; // followed, or nothing more was sent
        }
        return new Verdict.Settled(Optional.of(alert(flow, watch, loss(flow, watch), context)));
    }

    private static boolean loss(FlowState flow, RedirectWatch watch) {
        if (flow.primary().protocol() == FlowKey.TCP) {
            boolean retransmittedNow = flow.view(watch.vantage()).map(ConnectionView::history)
                    .map(history -> history.toUpperCase().contains("T")).orElse(false);
            return retransmittedNow && !watch.retransmittedBefore();
        }
        return watch.answers() < watch.viaOld() + watch.viaOther();
    }

    /** The suggested next hop of an ICMPv6 redirect is link-local (RFC 4861 8.1): a route to it names the interface. */
    private static String hintV6(String host, RedirectWatch watch, String iface) {
        return String.format("%s ignores ICMPv6 redirects. Best: a route on %s, `ip -6 route add %s via %s dev %s` "
                + "(Linux) or `netsh interface ipv6 add route %s/128 interface=IFACE nexthop=%s store=persistent` "
                + "(Windows), so nothing depends on redirects. Or let it accept them: Linux `sysctl -w "
                + "net.ipv6.conf.all.accept_redirects=1 net.ipv6.conf.%s.accept_redirects=1` (a host with forwarding "
                + "on ignores them); Windows `netsh interface ipv6 set global icmpredirects=enabled`.", host, host,
                watch.destination(), watch.suggested(), iface, watch.destination(), watch.suggested(), iface);
    }

    private static Alert alert(FlowState flow, RedirectWatch watch, boolean loss, DetectionContext context) {
        ConnectionView primary = flow.primary();
        String host = context.topology().locate(Addresses.parse(watch.host()))
                .map(location -> location.host().name()).orElse(watch.vantage().host());
        Severity base = context.config().severity(TYPE);
        Severity severity = loss && base != Severity.critical ? Severity.values()[base.ordinal() + 1] : base;
        boolean v6 = Addresses.parse(watch.host()).length == 16;
        String summary = String.format("%s (%s) got %d ICMP%s redirect%s from %s for %s (use %s) and still sent %d "
                        + "packet%s to %s through %s's MAC %s between %s and %s%s.", host, watch.host(),
                watch.redirects(), v6 ? "v6" : "", watch.redirects() == 1 ? "" : "s", watch.gateway(),
                watch.destination(), watch.suggested(), watch.viaOld(), watch.viaOld() == 1 ? "" : "s",
                watch.destination(), watch.gateway(), watch.oldMac(), Times.iso(watch.firstViaOldMicros()),
                Times.iso(watch.lastViaOldMicros()), loss ? "; packets were lost on that path" : "");
        String iface = watch.vantage().iface().isEmpty() ? "IFACE" : watch.vantage().iface();
        String hint = v6 ? hintV6(host, watch, iface) : String.format("%s ignores ICMP redirects. Best: a route on %s, "
                + "`ip route add %s via %s` (Linux) or `route -p add %s mask 255.255.255.255 %s` (Windows), so nothing "
                + "depends on redirects. Or let it accept them: Linux `sysctl -w net.ipv4.conf.all.accept_redirects=1 "
                + "net.ipv4.conf.%s.accept_redirects=1` (secure_redirects accepts them only from a current gateway); "
                + "Windows `EnableICMPRedirect`=1 under HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters.",
                host, host, watch.destination(), watch.suggested(), watch.destination(), watch.suggested(), iface);
        return Alert.newBuilder()
                .setId(AlertIds.of(TYPE, watch.firstMicros(), watch.host(), watch.destination(), primary.communityId()))
                .setType(TYPE)
                .setSeverity(severity)
                .setHost(host)
                .setDstIp(watch.destination())
                .setGateway(watch.gateway())
                .setSuggestedGateway(watch.suggested())
                .setLoss(loss)
                .setObservedBy(List.of(watch.vantage().host()))
                .setFirstSeenMicros(watch.firstMicros())
                .setLastSeenMicros(watch.lastViaOldMicros())
                .setCount(watch.viaOld())
                .setCommunityId(primary.communityId())
                .setSummary(summary)
                .setHint(hint)
                .setEvidence(FlowEvidence.lines(flow))
                .build();
    }
}
