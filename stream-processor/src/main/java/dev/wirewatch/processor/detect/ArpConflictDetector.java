package dev.wirewatch.processor.detect;

import dev.wirewatch.processor.alert.AlertIds;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.flow.DetectionContext;
import dev.wirewatch.processor.l2.AddressDetector;
import dev.wirewatch.processor.l2.AddressHistory;
import dev.wirewatch.processor.l2.AddressHistory.Change;
import dev.wirewatch.processor.l2.AddressHistory.Claim;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Evidence;
import dev.wirewatch.schemas.Times;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * ARP_CONFLICT: two MACs claim one IP address in turn — the address changed MAC and the old MAC claimed it again
 * within the change window. Two devices configured with the same address; a failover does not go back and forth.
 * One alert per address and window, once the window has passed, counting the changes in it.
 */
public final class ArpConflictDetector implements AddressDetector {
    public static final String TYPE = "ARP_CONFLICT";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<Alert> judge(String ip, AddressHistory history, DetectionContext context) {
        List<Alert> alerts = new ArrayList<>();
        long window = context.config().arpChangeWindowMicros();
        for (Optional<Change> next = AddressDetector.changeToJudge(history, context); next.isPresent()
                && AddressDetector.comebackOf(history, next.get(), window).isPresent();
                next = AddressDetector.changeToJudge(history, context)) {
            Change change = next.get(); // without a comeback it is a move, for ARP_IP_MOVED
            long windowEnd = change.atMicros() + window;
            List<Claim> inWindow = history.claims.subList(change.index() - 1, history.claims.size()).stream()
                    .filter(claim -> claim.firstMicros() <= windowEnd).toList();
            alerts.add(alert(ip, change, inWindow, context));
            history.judgedUntilMicros = windowEnd;
        }
        return alerts;
    }

    @Override
    public long dueAtMicros(AddressHistory history, ProcessorConfig config) {
        return AddressDetector.changeWindowEnd(history, config);
    }

    private Alert alert(String ip, Change change, List<Claim> runs, DetectionContext context) {
        int changes = runs.size() - 1;
        long last = runs.get(runs.size() - 1).firstMicros();
        TreeSet<String> observers = new TreeSet<>();
        List<Evidence> evidence = new ArrayList<>();
        for (Claim run : runs.subList(0, Math.min(runs.size(), 4))) {
            observers.addAll(run.observedBy());
            evidence.add(run.first().evidence());
        }
        String before = AddressDetector.named(change.before(), context);
        String after = AddressDetector.named(change.after(), context);
        return Alert.newBuilder()
                .setId(AlertIds.of(TYPE, change.atMicros(), ip))
                .setType(TYPE)
                .setSeverity(context.config().severity(TYPE))
                .setIp(ip)
                .setProtocol(AddressDetector.protocol(ip))
                .setMacBefore(change.before())
                .setMacAfter(change.after())
                .setHost(context.topology().ownerOfMac(change.after()).map(owner -> owner.host().name()).orElse(null))
                .setObservedBy(List.copyOf(observers))
                .setFirstSeenMicros(change.atMicros())
                .setLastSeenMicros(last)
                .setCount(changes)
                .setSummary(String.format("Two MACs claim %s in turn: %s and %s, %d changes between %s and %s.", ip,
                        before, after, changes, Times.iso(change.atMicros()), Times.iso(last)))
                .setHint(String.format("Two devices use %s. Find both by MAC (switch: `show mac address-table address "
                        + "%s` and `... %s`) and give one another address; %s", ip, change.before(), change.after(),
                        AddressDetector.isIpv6(ip) ? String.format("`ndisc6 %s IFACE` from a host on the segment lists the "
                        + "MACs that answer, and a host whose duplicate address detection failed shows the address as "
                        + "`dadfailed` in `ip -6 addr`.", ip)
                        : String.format("`arping -D -I IFACE %s` from a host on the segment lists every MAC that "
                        + "answers. A DHCP pool that overlaps a static address is a common cause.", ip)))
                .setEvidence(evidence)
                .build();
    }
}
