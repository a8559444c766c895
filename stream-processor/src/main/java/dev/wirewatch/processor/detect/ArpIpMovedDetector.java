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
 * ARP_IP_MOVED: an IP address is claimed from another MAC than before, and the old MAC did not claim it again within
 * the change window (that would be ARP_CONFLICT). A failover, or someone taking the address over. Repeated
 * announcements from the same MAC change nothing.
 */
public final class ArpIpMovedDetector implements AddressDetector {
    public static final String TYPE = "ARP_IP_MOVED";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<Alert> judge(String ip, AddressHistory history, DetectionContext context) {
        List<Alert> alerts = new ArrayList<>();
        long window = context.config().arpChangeWindowMicros();
        for (Optional<Change> next = AddressDetector.changeToJudge(history, context); next.isPresent()
                && AddressDetector.comebackOf(history, next.get(), window).isEmpty();
                next = AddressDetector.changeToJudge(history, context)) {
            Change change = next.get();
            alerts.add(alert(ip, change, history.claims.get(change.index() - 1), history.claims.get(change.index()),
                    context));
            history.judgedUntilMicros = change.atMicros();
        }
        return alerts;
    }

    @Override
    public long dueAtMicros(AddressHistory history, ProcessorConfig config) {
        return AddressDetector.changeWindowEnd(history, config);
    }

    private Alert alert(String ip, Change change, Claim before, Claim after, DetectionContext context) {
        List<Evidence> evidence = List.of(before.first().evidence(), after.first().evidence());
        return Alert.newBuilder()
                .setId(AlertIds.of(TYPE, change.atMicros(), ip, change.after()))
                .setType(TYPE)
                .setSeverity(context.config().severity(TYPE))
                .setIp(ip)
                .setProtocol(AddressDetector.protocol(ip))
                .setMacBefore(change.before())
                .setMacAfter(change.after())
                .setHost(context.topology().ownerOfMac(change.after()).map(owner -> owner.host().name()).orElse(null))
                .setObservedBy(List.copyOf(new TreeSet<>(after.observedBy())))
                .setFirstSeenMicros(change.atMicros())
                .setLastSeenMicros(after.lastMicros())
                .setCount(1)
                .setSummary(String.format("%s moved from MAC %s to %s at %s (last claimed by the old MAC at %s).", ip,
                        AddressDetector.named(change.before(), context), AddressDetector.named(change.after(), context),
                        Times.iso(change.atMicros()), Times.iso(before.lastMicros())))
                .setHint(String.format("After a planned failover every peer must learn the new MAC: check that the "
                        + "announcement reached them (ANNOUNCEMENT_NOT_PROPAGATED names those it did not), and that no "
                        + "IP-MAC binding, port security or dynamic ARP inspection still ties %s to %s; on a peer, "
                        + "`ip neigh show %s` (Linux) or `arp -a` (Windows) shows the MAC in use. If no failover "
                        + "happened, find the port of %s (switch: `show mac address-table address %s`): it may be "
                        + "spoofing the address.", ip, change.before(), ip, change.after(), change.after()))
                .setEvidence(evidence)
                .build();
    }
}
