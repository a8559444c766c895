package dev.wirewatch.processor.detect;

import dev.wirewatch.processor.alert.AlertIds;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.flow.DetectionContext;
import dev.wirewatch.processor.flow.FlowDetector;
import dev.wirewatch.processor.l2.AddressDetector;
import dev.wirewatch.processor.l2.AddressHistory;
import dev.wirewatch.processor.l2.AddressHistory.Announcement;
import dev.wirewatch.processor.l2.VirtualRouter;
import dev.wirewatch.processor.l2.VirtualRouterDetector;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Evidence;
import dev.wirewatch.schemas.Times;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * ANNOUNCEMENT_NOT_PROPAGATED: a monitored host announced an address (gratuitous ARP, as HA software does on
 * failover), its own sensor saw it leave, and the live sensor of another host on the same segment saw none of the
 * burst. The segment comes from the topology's {@code segments}, or is learned: sensors that saw this address's
 * broadcasts before are on its segment. A peer's silence counts only once its ticks have passed the burst by the
 * grace; a peer whose sensor never gets there is no evidence. VRRP advertisements that a peer stops hearing are judged
 * per virtual router ({@link VrrpAdvertisementsUnheard}).
 */
public final class AnnouncementNotPropagatedDetector implements AddressDetector, VirtualRouterDetector {
    public static final String TYPE = "ANNOUNCEMENT_NOT_PROPAGATED";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<Alert> judge(String ip, AddressHistory history, DetectionContext context) {
        List<Alert> alerts = new ArrayList<>();
        long grace = context.config().announcementGraceMicros();
        for (Iterator<Announcement> bursts = history.announcements.iterator(); bursts.hasNext(); ) {
            Announcement burst = bursts.next();
            long heardBy = burst.lastMicros() + grace;
            if (!context.inputEnded() && context.nowMicros() < heardBy) {
                continue;
            }
            if (burst.sender() == null || burst.sent() == 0) {
                bursts.remove(); // not announced by a monitored host, or not seen leaving it: nothing to compare
                continue;
            }
            List<String> missing = new ArrayList<>();
            boolean waiting = false;
            for (String peer : peers(burst, history, context)) {
                if (burst.seenBy().contains(peer)) {
                    continue;
                }
                if (context.liveness().apply(peer).coveredUntil(heardBy)) {
                    missing.add(peer);
                } else {
                    waiting |= !context.inputEnded()
                            && context.nowMicros() < heardBy + context.config().sensorSilenceMicros();
                }
            }
            if (waiting) {
                continue; // a peer's sensor has not reported that far yet
            }
            missing.forEach(peer -> alerts.add(alert(ip, burst, peer, context)));
            bursts.remove();
        }
        return alerts;
    }

    @Override
    public List<Alert> judge(String router, VirtualRouter state, DetectionContext context) {
        return VrrpAdvertisementsUnheard.judge(router, state, context);
    }

    @Override
    public long dueAtMicros(AddressHistory history, ProcessorConfig config) {
        return history.announcements.stream().mapToLong(burst -> burst.lastMicros() + config.announcementGraceMicros())
                .min().orElse(Long.MAX_VALUE);
    }

    private static Set<String> peers(Announcement burst, AddressHistory history, DetectionContext context) {
        Set<String> peers = new TreeSet<>(context.topology().segmentPeers(burst.sender()));
        peers.addAll(history.listeners);
        peers.remove(burst.sender());
        return peers;
    }

    private static String ndHint(String ip, Announcement burst, String peer) {
        return String.format("Something between %s and %s drops IPv6 multicast neighbour advertisements (ICMPv6 type "
                + "136 to ff02::1): check bridge and switch filters (`nft list ruleset` for the bridge family, "
                + "`ebtables -L`), MLD snooping (`bridge mdb show`), RA guard or ND inspection, VLAN membership of both "
                + "ports. As a stopgap, on %s `ip -6 neigh flush to %s` (Linux) or `netsh interface ipv6 delete "
                + "neighbors` (Windows); keepalived repeats announcements with `garp_master_repeat` (unsolicited NAs "
                + "too).", burst.sender(), peer, peer, ip);
    }

    private Alert alert(String ip, Announcement burst, String peer, DetectionContext context) {
        String span = burst.sent() == 1 ? "at " + Times.iso(burst.firstMicros())
                : "between " + Times.iso(burst.firstMicros()) + " and " + Times.iso(burst.lastMicros());
        List<Evidence> evidence = List.of(burst.sentSighting().evidence());
        boolean v6 = AddressDetector.isIpv6(ip);
        return Alert.newBuilder()
                .setId(AlertIds.of(TYPE, burst.firstMicros(), ip, burst.mac(), peer))
                .setType(TYPE)
                .setSeverity(context.config().severity(TYPE))
                .setIp(ip)
                .setProtocol(AddressDetector.protocol(ip))
                .setHost(burst.sender())
                .setMissingAt(peer)
                .setMacAfter(burst.mac())
                .setObservedBy(List.copyOf(new TreeSet<>(burst.seenBy())))
                .setFirstSeenMicros(burst.firstMicros())
                .setLastSeenMicros(burst.lastMicros())
                .setCount(burst.sent())
                .setSummary(String.format("%s announced %s at MAC %s (%d %s%s %s); the sensor of %s, live on the same "
                        + "segment, saw none of it, so %s may still send to the old MAC.", burst.sender(), ip, burst.mac(),
                        burst.sent(), v6 ? "unsolicited Neighbor Advertisement" : "gratuitous ARP",
                        burst.sent() == 1 ? "" : "s", span, peer, peer))
                .setHint(v6 ? ndHint(ip, burst, peer) : String.format("Something between %s and %s drops broadcast ARP: "
                        + "check bridge and switch filters (`ebtables -L`, `nft list ruleset` for the bridge family, "
                        + "switch storm control, dynamic ARP inspection, IP-MAC binding, VLAN membership of both ports). "
                        + "As a stopgap, on %s `ip neigh flush to %s` (Linux) or `arp -d %s` (Windows); keepalived "
                        + "repeats announcements with `garp_master_repeat` and `garp_master_refresh`.", burst.sender(),
                        peer, peer, ip, ip))
                .setEvidence(evidence)
                .build();
    }
}
