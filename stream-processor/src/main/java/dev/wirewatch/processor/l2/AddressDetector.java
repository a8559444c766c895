package dev.wirewatch.processor.l2;

import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.flow.DetectionContext;
import dev.wirewatch.record.Alert;
import java.util.List;
import java.util.Optional;

/** A detector of the ARP stage: judges what ARP said about one IP address, from every sensor. */
public interface AddressDetector {
    String type();

    /** The alerts it can settle now; it marks in {@code history} what it settled. */
    List<Alert> judge(String ip, AddressHistory history, DetectionContext context);

    /** When it next needs to look at {@code history}; {@code Long.MAX_VALUE} when nothing is pending. */
    long dueAtMicros(AddressHistory history, ProcessorConfig config);

    /** The earliest change of MAC not yet judged whose change window has passed (or the input ended). */
    static Optional<AddressHistory.Change> changeToJudge(AddressHistory history, DetectionContext context) {
        long window = context.config().arpChangeWindowMicros();
        return history.nextChange()
                .filter(change -> change.atMicros() + window <= context.nowMicros() || context.inputEnded());
    }

    /** When the earliest unjudged change of MAC can be judged. */
    static long changeWindowEnd(AddressHistory history, ProcessorConfig config) {
        return history.nextChange().map(change -> change.atMicros() + config.arpChangeWindowMicros())
                .orElse(Long.MAX_VALUE);
    }

    /** The run of the old MAC that claims the address again within {@code windowMicros} after a change, if any. */
    static Optional<AddressHistory.Claim> comebackOf(AddressHistory history, AddressHistory.Change change,
                                                              long windowMicros) {
        return history.claims.stream().skip(change.index() + 1L)
                .filter(claim -> claim.firstMicros() <= change.atMicros() + windowMicros)
                .filter(claim -> claim.mac().equals(change.before())).findFirst();
    }

    /** Alert.protocol: what carries an address's claims, ARP for IPv4, neighbour discovery (ND) for IPv6. */
    static String protocol(String ip) {
        return isIpv6(ip) ? "ND" : "ARP";
    }

    /** The stage's keys are addresses as text: an IPv6 one has colons, an IPv4 one none. */
    static boolean isIpv6(String ip) {
        return ip.indexOf(':') >= 0;
    }

    static String named(String mac, DetectionContext context) {
        return context.topology().ownerOfMac(mac).map(owner -> mac + " (" + owner.host().name() + ")").orElse(mac);
    }
}
