package dev.wirewatch.processor.detect;

import dev.wirewatch.processor.alert.AlertIds;
import dev.wirewatch.processor.flow.DetectionContext;
import dev.wirewatch.processor.l2.VirtualRouter;
import dev.wirewatch.processor.l2.VirtualRouter.Speaker;
import dev.wirewatch.processor.l2.VirtualRouterDetector;
import dev.wirewatch.record.Alert;
import dev.wirewatch.schemas.Times;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * VRRP_SPLIT_BRAIN: two MACs (on a virtual MAC: two source addresses) advertise one virtual router as master at once, for longer than the master-down
 * interval (3 advertisement intervals plus the skew time). A takeover never overlaps that long: a backup takes over
 * only after the master fell silent, and a master that hears a higher priority steps down at once; a master that
 * resigns says so (priority 0). Both keep advertising when one of them does not hear the other: the multicast is
 * blocked on the way, or the two are not on one segment any more. One alert per pair and overlap.
 */
public final class VrrpSplitBrainDetector implements VirtualRouterDetector {
    public static final String TYPE = "VRRP_SPLIT_BRAIN";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<Alert> judge(String router, VirtualRouter state, DetectionContext context) {
        List<Speaker> speakers = state.speakers.values().stream()
                .sorted(Comparator.comparingLong(Speaker::runStartMicros)).toList();
        List<Alert> alerts = new ArrayList<>();
        for (int i = 0; i < speakers.size(); i++) {
            for (int j = i + 1; j < speakers.size(); j++) {
                Speaker first = speakers.get(i);
                Speaker second = speakers.get(j);
                long from = second.runStartMicros();
                long until = Math.min(first.lastMicros(), second.lastMicros());
                long masterDown = Math.max(first.masterDownMicros(), second.masterDownMicros())
                        + context.config().clockSkewMicros();
                String key = TYPE + " " + first.id() + " " + second.id() + " " + from;
                if (until - from > masterDown && state.reported.add(key)) {
                    alerts.add(alert(router, first, second, from, until, state, context));
                }
            }
        }
        return alerts;
    }

    private Alert alert(String router, Speaker first, Speaker second, long from, long until, VirtualRouter state,
                        DetectionContext context) {
        String ip = second.addresses().isEmpty() ? second.src() : second.addresses().get(0);
        TreeSet<String> observers = new TreeSet<>(first.heardBy().keySet());
        observers.retainAll(second.heardBy().keySet());
        return Alert.newBuilder()
                .setId(AlertIds.of(TYPE, from, router, first.id(), second.id()))
                .setType(TYPE)
                .setSeverity(context.config().severity(TYPE))
                .setIp(ip)
                .setHost(second.host())
                .setProtocol("VRRP")
                .setVrid(state.vrid)
                .setMasters(List.of(first.id(), second.id()))
                .setMasterHosts(List.of(Objects.toString(first.host(), ""), Objects.toString(second.host(), "")))
                .setObservedBy(List.copyOf(observers))
                .setFirstSeenMicros(from)
                .setLastSeenMicros(until)
                .setCount(2)
                .setSummary(String.format("Split brain: %s and %s both advertise VRRP %s (%s) as master, since %s "
                        + "(priorities %d and %d); hosts on the segment send to whichever answered ARP last.",
                        VirtualRouterDetector.named(first), VirtualRouterDetector.named(second), router,
                        String.join(", ", second.addresses()), Times.iso(from), first.priority(), second.priority()))
                .setHint(String.format("%s does not hear %s's advertisements (multicast 224.0.0.18 / ff02::12, IP "
                        + "protocol 112): check filters between them (`nft list ruleset` including the bridge family, "
                        + "`iptables -L`, switch IGMP snooping, VLAN membership) and that both use the same vrid, "
                        + "version and authentication. `tcpdump -ni IFACE vrrp` on each shows who hears whom; keepalived "
                        + "logs the state changes (`journalctl -u keepalived`).", hostOr(second), hostOr(first)))
                .setEvidence(List.of(first.first().evidence(), second.first().evidence()))
                .build();
    }

    private static String hostOr(Speaker speaker) {
        return speaker.host() == null ? speaker.mac() : speaker.host();
    }
}
