package dev.wirewatch.processor.detect;

import dev.wirewatch.processor.alert.AlertIds;
import dev.wirewatch.processor.flow.DetectionContext;
import dev.wirewatch.processor.l2.VirtualRouter;
import dev.wirewatch.processor.l2.VirtualRouter.Heard;
import dev.wirewatch.processor.l2.VirtualRouter.Speaker;
import dev.wirewatch.processor.l2.VirtualRouterDetector;
import dev.wirewatch.record.Alert;
import dev.wirewatch.schemas.Times;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * ANNOUNCEMENT_NOT_PROPAGATED for VRRP (protocol VRRP), part of {@link AnnouncementNotPropagatedDetector}: a master's
 * own sensor saw it advertise for longer than the master-down interval, and the live sensor of another host on the
 * segment (the topology's {@code segments}, or a sensor that heard the router before) heard none of it since its
 * last hearing — a backup that stops hearing its master, or a failover whose new master never reaches a peer. The
 * backup then takes over too (VRRP_SPLIT_BRAIN); a peer keeps the old master's MAC. One alert per speaker, peer and
 * silence, as soon as the silence is longer than the master-down interval (VRRP's own verdict on the master).
 */
final class VrrpAdvertisementsUnheard {
    private VrrpAdvertisementsUnheard() {}

    static List<Alert> judge(String router, VirtualRouter state, DetectionContext context) {
        List<Alert> alerts = new ArrayList<>();
        for (Speaker speaker : state.speakers.values()) {
            if (speaker.host() == null || speaker.ownSent() == 0) {
                continue; // not sent by a monitored host, or not seen leaving it: nothing to compare
            }
            long masterDown = speaker.masterDownMicros() + context.config().clockSkewMicros();
            // Ticks (ww.packets) can run ahead of the peer's ww.l2 records: as the ARP path, wait out the grace.
            long reportedPast = masterDown + context.config().announcementGraceMicros();
            for (String peer : peers(speaker, state, context)) {
                Heard heard = speaker.heardBy().get(peer);
                boolean heardInRun = heard != null && heard.atMicros() >= speaker.runStartMicros();
                long silentSince = heardInRun ? heard.atMicros() : speaker.runStartMicros();
                long unheard = speaker.ownSent() - (heardInRun ? heard.ownSentThen() : 0);
                String key = TYPE + " " + speaker.id() + " " + peer + " " + silentSince;
                // The peer's sensor must have reported past the master-down interval, not up to the latest advertisement.
                if (speaker.ownLastMicros() - silentSince > masterDown && unheard > 0
                        && context.liveness().apply(peer).coveredUntil(silentSince + reportedPast)
                        && state.reported.add(key)) {
                    alerts.add(alert(router, state, speaker, peer, silentSince, unheard, heardInRun, context));
                }
            }
        }
        return alerts;
    }

    private static final String TYPE = AnnouncementNotPropagatedDetector.TYPE;

    private static Set<String> peers(Speaker speaker, VirtualRouter state, DetectionContext context) {
        Set<String> peers = new TreeSet<>(context.topology().segmentPeers(speaker.host()));
        peers.addAll(state.listeners);
        peers.remove(speaker.host());
        return peers;
    }

    private static Alert alert(String router, VirtualRouter state, Speaker speaker, String peer, long silentSince,
                               long unheard, boolean heardBefore, DetectionContext context) {
        String ip = speaker.addresses().isEmpty() ? speaker.src() : speaker.addresses().get(0);
        String since = heardBefore ? "since it last heard one at " + Times.iso(silentSince)
                : "since it began at " + Times.iso(silentSince);
        return Alert.newBuilder()
                .setId(AlertIds.of(TYPE, silentSince, ip, speaker.id(), peer, "VRRP"))
                .setType(TYPE)
                .setSeverity(context.config().severity(TYPE))
                .setIp(ip)
                .setHost(speaker.host())
                .setMissingAt(peer)
                .setMacAfter(speaker.mac())
                .setProtocol("VRRP")
                .setVrid(state.vrid)
                .setObservedBy(List.copyOf(new TreeSet<>(speaker.heardBy().keySet())))
                .setFirstSeenMicros(silentSince)
                .setLastSeenMicros(speaker.ownLastMicros())
                .setCount(unheard)
                .setSummary(String.format("%s advertises VRRP %s (%s) as master: its sensor saw %d advertisement%s "
                        + "leave %s, and the sensor of %s, live on the same segment, heard none of them, so %s "
                        + "declares the master down and takes over if it is a backup.", speaker.host(), router,
                        String.join(", ", speaker.addresses()), unheard, unheard == 1 ? "" : "s", since, peer, peer))
                .setHint(String.format("Something between %s and %s drops VRRP multicast (224.0.0.18 / ff02::12, IP "
                        + "protocol 112): check bridge and switch filters (`nft list ruleset` including the bridge "
                        + "family, `ebtables -L`, `iptables -L`), IGMP snooping without a querier, VLAN membership; "
                        + "`tcpdump -ni IFACE vrrp` on %s shows what arrives. keepalived can fall back to unicast "
                        + "(`unicast_peer`).", speaker.host(), peer, peer))
                .setEvidence(List.of(speaker.first().evidence()))
                .build();
    }
}
