package dev.wirewatch.processor.l2;

import dev.wirewatch.record.Evidence;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What ARP said lately about one IP address, from every sensor: which MAC claimed it when (one {@link Claim} per run
 * of the same MAC, in capture-time order), which sensors hear its broadcasts, and its recent announcements. Lives in
 * the ARP stage's store, keyed by the address; stored as JSON.
 */
public final class AddressHistory {
    /** One run of ARP packets claiming the address for the same MAC. */
    public record Claim(String mac, long firstMicros, long lastMicros, Set<String> observedBy, Sighting first) {
        Claim extendedBy(Sighting sighting) {
            boolean earlier = sighting.tsMicros() < firstMicros;
            return new Claim(mac, earlier ? sighting.tsMicros() : firstMicros,
                    Math.max(lastMicros, sighting.tsMicros()), union(observedBy, sighting.host()),
                    earlier ? sighting : first);
        }
    }

    /** One sensor's sighting of an ARP packet: for evidence lines. */
    public record Sighting(String host, String iface, long tsMicros, String line) {
        public Evidence evidence() {
            return Evidence.newBuilder().setHost(host).setIface(iface).setTsMicros(tsMicros).setLine(line).build();
        }
    }

    /**
     * Gratuitous ARPs from one MAC for this address, close together in time (a burst, as HA software sends them):
     * which monitored host sent them (by the topology's MACs), how many its own sensor saw, and who else saw them.
     */
    public record Announcement(String mac, String sender, long firstMicros, long lastMicros, int sent,
                               Set<String> seenBy, Sighting sentSighting) {}

    /** A change of MAC: {@code claims[index - 1]} held the address, {@code claims[index]} claims it from {@code atMicros}. */
    public record Change(int index, String before, String after, long atMicros) {}

    public List<Claim> claims = new ArrayList<>();
    /** Sensors that have seen this address's broadcast ARP: they share its segment. */
    public Set<String> listeners = new TreeSet<>();
    public List<Announcement> announcements = new ArrayList<>();
    /** Changes of MAC up to this capture time have been judged. */
    public long judgedUntilMicros = Long.MIN_VALUE;

    /**
     * Records that {@code sighting.host()}'s sensor saw {@code mac} claim the address. Sensors' records interleave
     * out of capture order; a sighting of the previous MAC within {@code skewMicros} after a change, by a sensor
     * that has not seen the new MAC yet, is the same moment seen by a sensor with another clock, not the old MAC
     * coming back. (One sensor's own sightings are in order: two MACs answering one request a millisecond apart are
     * a conflict.)
     */
    public void claim(String mac, Sighting sighting, long skewMicros) {
        long ts = sighting.tsMicros();
        int at = lastStartingAtOrBefore(ts);
        if (at >= 0 && claims.get(at).mac().equals(mac)) {
            claims.set(at, claims.get(at).extendedBy(sighting));
        } else if (at >= 1 && claims.get(at - 1).mac().equals(mac) && ts - claims.get(at).firstMicros() <= skewMicros
                && !claims.get(at).observedBy().contains(sighting.host())) {
            claims.set(at - 1, claims.get(at - 1).extendedBy(sighting));
        } else if (at + 1 < claims.size() && claims.get(at + 1).mac().equals(mac)
                && (at < 0 || ts >= claims.get(at).lastMicros())) {
            claims.set(at + 1, claims.get(at + 1).extendedBy(sighting));
        } else {
            Claim fresh = new Claim(mac, ts, ts, new TreeSet<>(Set.of(sighting.host())), sighting);
            if (at >= 0 && claims.get(at).lastMicros() > ts) {
                // Another MAC in the middle of a run: the run is split around it.
                Claim run = claims.get(at);
                claims.set(at, new Claim(run.mac(), run.firstMicros(), ts, run.observedBy(), run.first()));
                claims.add(at + 1, new Claim(run.mac(), ts, run.lastMicros(), run.observedBy(), run.first()));
            }
            claims.add(at + 1, fresh);
        }
    }

    /** The earliest change of MAC not yet judged. */
    public Optional<Change> nextChange() {
        for (int i = 1; i < claims.size(); i++) {
            Claim claim = claims.get(i);
            if (claim.firstMicros() > judgedUntilMicros && !claim.mac().equals(claims.get(i - 1).mac())) {
                return Optional.of(new Change(i, claims.get(i - 1).mac(), claim.mac(), claim.firstMicros()));
            }
        }
        return Optional.empty();
    }

    /** Forgets judged runs that ended before {@code micros}; the current run always stays. */
    public void forgetBefore(long micros) {
        while (claims.size() > 1 && claims.get(1).firstMicros() <= judgedUntilMicros
                && claims.get(0).lastMicros() < micros) {
            claims.remove(0);
        }
    }

    /**
     * A gratuitous ARP for the address, seen by {@code sighting.host()}; {@code sender} is the monitored host whose
     * interface has the announced MAC (null if none). Joins the burst from the same MAC it belongs to.
     */
    public void announced(String mac, String sender, Sighting sighting, long burstGapMicros) {
        long ts = sighting.tsMicros();
        boolean own = sighting.host().equals(sender);
        for (int i = 0; i < announcements.size(); i++) {
            Announcement burst = announcements.get(i);
            if (burst.mac().equals(mac) && ts >= burst.firstMicros() - burstGapMicros
                    && ts <= burst.lastMicros() + burstGapMicros) {
                announcements.set(i, new Announcement(mac, sender, Math.min(burst.firstMicros(), ts),
                        Math.max(burst.lastMicros(), ts), burst.sent() + (own ? 1 : 0),
                        union(burst.seenBy(), sighting.host()), burst.sentSighting() == null && own ? sighting
                                : burst.sentSighting()));
                return;
            }
        }
        announcements.add(new Announcement(mac, sender, ts, ts, own ? 1 : 0, new TreeSet<>(Set.of(sighting.host())),
                own ? sighting : null));
    }

    public boolean idle() {
        return announcements.isEmpty() && nextChange().isEmpty();
    }

    private int lastStartingAtOrBefore(long ts) {
        int at = -1;
        for (int i = 0; i < claims.size() && claims.get(i).firstMicros() <= ts; i++) {
            at = i;
        }
        return at;
    }

    private static Set<String> union(Set<String> hosts, String host) {
        Set<String> all = new TreeSet<>(hosts);
        all.add(host);
        return all;
    }
}
