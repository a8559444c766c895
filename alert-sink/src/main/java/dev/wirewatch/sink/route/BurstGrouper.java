package dev.wirewatch.sink.route;

import dev.wirewatch.record.Alert;
import dev.wirewatch.sink.AlertSubject;
import dev.wirewatch.sink.delivery.AlertPosition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Optional;

/**
 * Collects the alerts of one subject (type, severity, service or address) that arrive within {@code waitNanos} of the
 * first into one group, so a burst (twenty clients refused by one service) is one message, not twenty. With a wait of
 * zero, only alerts read in one poll are grouped.
 */
public final class BurstGrouper {
    private final long waitNanos;
    private final Map<String, Group> open = new LinkedHashMap<>();

    public BurstGrouper(long waitNanos) {
        this.waitNanos = waitNanos;
    }

    /** An alert, its revision (1 for a new finding, more for an update of one already sent) and its record. */
    public record Received(Alert alert, int revision, AlertPosition position) {}

    /** A group ready to send: its alerts in arrival order and when the first arrived. */
    public record Group(List<Received> items, long firstNanos) {
        public List<Alert> alerts() {
            return items.stream().map(Received::alert).toList();
        }

        /** Alert id to revision. */
        public Map<String, Integer> revisions() {
            Map<String, Integer> revisions = new HashMap<>();
            items.forEach(item -> revisions.put(item.alert().getId(), item.revision()));
            return revisions;
        }
    }

    public void add(Alert alert, int revision, AlertPosition position, long nowNanos) {
        open.computeIfAbsent(AlertSubject.of(alert), subject -> new Group(new ArrayList<>(), nowNanos))
                .items().add(new Received(alert, revision, position));
    }

    /**
     * New content for an alert still waiting here: it takes the place of the old one (nobody was sent that yet), under
     * the same revision. Returns what it replaced, whose record is then finished; empty if the id is not waiting.
     */
    public Optional<Received> replace(Alert alert, AlertPosition position) {
        for (Group group : open.values()) {
            for (ListIterator<Received> items = group.items().listIterator(); items.hasNext(); ) {
                Received waiting = items.next();
                if (waiting.alert().getId().equals(alert.getId())) {
                    items.set(new Received(alert, waiting.revision(), position));
                    return Optional.of(waiting);
                }
            }
        }
        return Optional.empty();
    }

    /** Groups whose wait is over, removed. */
    public List<Group> due(long nowNanos) {
        List<Group> due = new ArrayList<>();
        for (Iterator<Group> groups = open.values().iterator(); groups.hasNext(); ) {
            Group group = groups.next();
            if (nowNanos - group.firstNanos() >= waitNanos) {
                due.add(group);
                groups.remove();
            }
        }
        return due;
    }

    /** Every open group, removed (the sink is stopping: send now rather than wait). */
    public List<Group> drain() {
        List<Group> all = new ArrayList<>(open.values());
        open.clear();
        return all;
    }
}
