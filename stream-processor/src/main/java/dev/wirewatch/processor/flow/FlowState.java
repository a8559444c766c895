package dev.wirewatch.processor.flow;

import dev.wirewatch.record.PacketEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One flow as every vantage saw it: a {@link ConnectionView} per (host, interface), plus what the detectors
 * already decided about it. Lives in the processor's flow store, keyed by the canonical flow key.
 */
public final class FlowState {
    /** One vantage's view. */
    public record Seen(Vantage vantage, ConnectionView view) {}

    private final List<Seen> views;
    private final Set<String> settledTypes;
    private long deadlineMicros;
    private long timerMicros;
    private RedirectWatch redirect;
    private final Map<String, String> dropReasons;
    /** The first-seen times of earlier connections on this key held aside for a lagging sensor, oldest first. */
    private List<Long> heldAside = List.of();

    public FlowState() {
        this(new ArrayList<>(), new TreeSet<>(), Absent.NEVER, Absent.NEVER, null, new TreeMap<>());
    }

    /** A stored state, read back by {@link FlowStateCodec}. */
    FlowState(List<Seen> views, Set<String> settledTypes, long deadlineMicros, long timerMicros, RedirectWatch redirect,
              Map<String, String> dropReasons) {
        this.views = new ArrayList<>(views);
        this.settledTypes = new TreeSet<>(settledTypes);
        this.deadlineMicros = deadlineMicros;
        this.timerMicros = timerMicros;
        this.redirect = redirect;
        this.dropReasons = new TreeMap<>(dropReasons);
    }

    public List<Seen> views() {
        return views;
    }

    public Optional<ConnectionView> view(Vantage vantage) {
        return views.stream().filter(seen -> seen.vantage().equals(vantage)).map(Seen::view).findFirst();
    }

    /**
     * Adds a vantage's view in the order the vantages first saw the flow, not the order their records arrived: a
     * sensor that ships a second's packets at once, or lags, must not change which view leads (primary, evidence).
     */
    public void add(Vantage vantage, ConnectionView view) {
        int at = views.size();
        while (at > 0 && views.get(at - 1).view().firstSeenMicros() > view.firstSeenMicros()) {
            at--;
        }
        views.add(at, new Seen(vantage, view));
    }

    /** The detector of this alert type has settled this flow (alerted, or found nothing to report). */
    public boolean settled(String type) {
        return settledTypes.contains(type);
    }

    public void markSettled(String type) {
        settledTypes.add(type);
    }

    /** The alert types settled so far, in name order (for {@link FlowStateCodec}). */
    Set<String> settledTypes() {
        return Collections.unmodifiableSet(settledTypes);
    }

    public long deadlineMicros() {
        return deadlineMicros;
    }

    public void deadlineMicros(long deadline) {
        deadlineMicros = deadline;
    }

    /**
     * When the timer armed for this flow fires ({@link Absent#NEVER}: none). It may be earlier than the deadline:
     * a deadline that moves later (every packet pushes the idle expiry) leaves the timer where it is, and the
     * timer re-arms itself when it fires, which spares two timer-store writes per packet.
     */
    public long timerMicros() {
        return timerMicros;
    }

    public void timerMicros(long timer) {
        timerMicros = timer;
    }

    /** The view that shows the connection's orientation best: the first one that saw the originator's SYN. */
    public ConnectionView primary() {
        return views.stream().map(Seen::view).filter(view -> view.synCount() > 0).findFirst()
                .orElse(views.get(0).view());
    }

    /** What the host did after an ICMP redirect about this flow, if one came. */
    public Optional<RedirectWatch> redirect() {
        return Optional.ofNullable(redirect);
    }

    /**
     * An ICMP redirect about this flow, seen at {@code vantage}; the first one starts the watch. Later ones count at
     * the watching vantage only: another sensor on the path (the router's) sees the same redirects.
     */
    void redirected(Vantage vantage, PacketEvent packet) {
        if (redirect == null) {
            boolean retransmitted = view(vantage).map(view -> view.history().toUpperCase().contains("T")).orElse(false);
            redirect = RedirectWatch.start(vantage, packet, retransmitted);
        } else if (redirect.vantage().equals(vantage)) {
            redirect.redirectedAgain(packet.getTsMicros());
        }
    }

    /** The kernel of {@code host} dropped a SYN of this flow for {@code reason} (the latest reason wins). */
    void droppedBy(String host, String reason) {
        dropReasons.put(host, reason);
    }

    /** Why the kernel of {@code host} dropped this flow's SYNs, if its sensor read drop reasons. */
    public Optional<String> dropReason(String host) {
        return Optional.ofNullable(dropReasons.get(host));
    }

    /** Every host's drop reason, by host name (for {@link FlowStateCodec}). */
    Map<String, String> dropReasons() {
        return Collections.unmodifiableMap(dropReasons);
    }

    /** Earlier connections on this flow's addresses and ports held aside ({@link HeldConnections}), oldest first. */
    List<Long> heldAside() {
        return heldAside;
    }

    void heldAside(List<Long> firstSeenTimes) {
        heldAside = List.copyOf(firstSeenTimes);
    }

    public long firstSeenMicros() {
        return views.stream().mapToLong(seen -> seen.view().firstSeenMicros()).min().orElse(0);
    }

    public long lastSeenMicros() {
        return views.stream().mapToLong(seen -> seen.view().lastSeenMicros()).max().orElse(0);
    }
}
