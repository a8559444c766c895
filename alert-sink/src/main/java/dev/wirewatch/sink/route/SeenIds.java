package dev.wirewatch.sink.route;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ids of the most recent alerts, to drop the same finding arriving twice (an alert id is stable across replays
 * and restarts of the processor). Bounded: the oldest ids are forgotten first.
 */
public final class SeenIds {
    private final Map<String, Boolean> ids;

    public SeenIds(int capacity) {
        this.ids = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** True the first time an id is offered. */
    public boolean firstTime(String id) {
        return ids.put(id, Boolean.TRUE) == null;
    }
}
