package dev.wirewatch.processor.l2;

import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What every sensor saw of one VRRP virtual router (vrid and first virtual address: one segment, one family): each
 * MAC that advertised it as master ({@link Speaker}), per run of advertisements, and which sensors heard each. Lives in
 * the address stage's {@code vrrp-routers} store, keyed by {@link dev.wirewatch.schemas.VrrpKeys#router}; JSON.
 */
public final class VirtualRouter {
    /**
     * One sensor's last hearing of a speaker: when, and how many of the speaker's advertisements its own sensor had
     * seen leave by then ({@link Speaker#ownSent}).
     */
    public record Heard(long atMicros, long ownSentThen) {}

    /**
     * A MAC advertising the router as master. A run is a stretch of advertisements without a gap longer than the
     * master-down interval; a priority-0 advertisement (the master resigns) ends it. {@code host} is the monitored
     * host sending (by the topology's MACs or addresses; null if none), {@code ownSent} how many advertisements of
     * the run that host's own sensor saw leave.
     */
    public record Speaker(String mac, String host, String src, int priority, int intervalCentis, List<String> addresses,
                          long runStartMicros, long lastMicros, boolean resigned, long ownSent, long ownLastMicros,
                          TreeMap<String, Heard> heardBy, AddressHistory.Sighting first) {
        /** RFC 5798's Master_Down_Interval: 3 intervals plus the skew time (longer for a lower priority). */
        public long masterDownMicros() {
            long interval = intervalCentis * 10_000L;
            return 3 * interval + (256 - Math.max(priority, 1)) * interval / 256;
        }

        Speaker resign() {
            return new Speaker(mac, host, src, priority, intervalCentis, addresses, runStartMicros, lastMicros, true,
                    ownSent, ownLastMicros, heardBy, first);
        }

        /**
         * What tells it apart from other speakers of the router: its MAC, or on a VRRP virtual MAC (keepalived's
         * use_vmac, which every master of the router sends from) the MAC with its own source address.
         */
        public String id() {
            return id(mac, src);
        }

        static String id(String mac, String src) {
            return isVirtualMac(mac) ? mac + " (" + src + ")" : mac;
        }

        /** RFC 5798 section 7.3: 00:00:5e:00:01:VRID for IPv4, 00:00:5e:00:02:VRID for IPv6. */
        public static boolean isVirtualMac(String mac) {
            return mac.startsWith("00:00:5e:00:01:") || mac.startsWith("00:00:5e:00:02:");
        }

        /** Its current run is live: advertised within the master-down interval before {@code micros}, not resigned. */
        public boolean masterAt(long micros) {
            return !resigned && micros - lastMicros <= masterDownMicros();
        }
    }

    public int vrid;
    /** By {@link Speaker#id()}. */
    public TreeMap<String, Speaker> speakers = new TreeMap<>();
    /** Sensors that heard any advertisement of this router: they share its segment. */
    public Set<String> listeners = new TreeSet<>();
    /** Findings already reported (each detector's own keys), so a restart or a later look sends none twice. */
    public Set<String> reported = new TreeSet<>();

    /**
     * One sensor ({@code sighting.host()}) saw {@code mac} advertise the router. Sensors' records interleave out of
     * capture order: an advertisement earlier than the run's start by less than the master-down interval belongs to
     * the run; one earlier still (a lagging sensor, a buffer replayed after an outage) only tells who heard the
     * speaker, and leaves the current run alone.
     */
    public void advertised(String mac, String host, String src, int priority, int intervalCentis,
                           List<String> addresses, AddressHistory.Sighting sighting) {
        long ts = sighting.tsMicros();
        listeners.add(sighting.host());
        boolean own = sighting.host().equals(host);
        String id = Speaker.id(mac, src);
        Speaker before = speakers.get(id);
        if (priority == 0) {
            if (before != null && ts >= before.lastMicros()) {
                speakers.put(id, before.resign());
            }
            return;
        }
        Speaker fresh = new Speaker(mac, host, src, priority, intervalCentis, List.copyOf(addresses), ts, ts, false,
                0, Long.MIN_VALUE, new TreeMap<>(), sighting);
        if (before != null && ts < before.runStartMicros() - fresh.masterDownMicros()) {
            Heard last = before.heardBy().get(sighting.host());
            if (last == null || ts > last.atMicros()) {
                TreeMap<String, Heard> heardBy = new TreeMap<>(before.heardBy());
                heardBy.put(sighting.host(), new Heard(ts, 0)); // before the run: heard none of it
                speakers.put(id, new Speaker(mac, before.host(), src, before.priority(), before.intervalCentis(),
                        before.addresses(), before.runStartMicros(), before.lastMicros(), before.resigned(),
                        before.ownSent(), before.ownLastMicros(), heardBy, before.first()));
            }
            return;
        }
        boolean sameRun = before != null && !(before.resigned() && ts > before.lastMicros())
                && ts - before.lastMicros() <= fresh.masterDownMicros()
                && before.runStartMicros() - ts <= fresh.masterDownMicros();
        // A new run keeps who heard the MAC last: a sensor that has not heard it since is still not hearing it.
        Speaker run = sameRun ? before : before == null ? fresh : new Speaker(mac, host, src, priority,
                intervalCentis, fresh.addresses(), ts, ts, false, 0, Long.MIN_VALUE, before.heardBy(), sighting);
        long ownSent = run.ownSent() + (own ? 1 : 0);
        TreeMap<String, Heard> heardBy = new TreeMap<>(run.heardBy());
        Heard last = heardBy.get(sighting.host());
        if (last == null || ts >= last.atMicros()) {
            heardBy.put(sighting.host(), new Heard(ts, ownSent));
        }
        Speaker updated = new Speaker(mac, host, src, priority, intervalCentis, List.copyOf(addresses),
                Math.min(run.runStartMicros(), ts), Math.max(run.lastMicros(), ts), run.resigned(), ownSent,
                own ? Math.max(run.ownLastMicros(), ts) : run.ownLastMicros(), heardBy,
                ts < run.runStartMicros() ? sighting : run.first());
        speakers.put(id, updated);
    }

    /**
     * Forgets findings that cannot come again: each key ends with the start of what it reported, which is never before
     * its speaker's run (a split brain's, the later of two runs). A late record stretches a run back by at most a
     * master-down interval, so a finding older than a named speaker's current run by {@code horizonMasterDowns} of them
     * is over for good.
     */
    void forgetReportedBeforeRuns(int horizonMasterDowns) {
        reported.removeIf(key -> {
            long at = Long.parseLong(key.substring(key.lastIndexOf(' ') + 1));
            return speakers.values().stream().anyMatch(speaker -> key.contains(speaker.id())
                    && at < speaker.runStartMicros() - horizonMasterDowns * speaker.masterDownMicros());
        });
    }
}
