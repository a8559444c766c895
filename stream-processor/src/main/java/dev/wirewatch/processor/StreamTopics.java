package dev.wirewatch.processor;

import dev.wirewatch.schemas.Topics;
import java.util.List;

/**
 * The topics one processor application reads and writes. The live processor uses the public topics; a replay reads
 * its own copy of a stretch of history and writes its own alerts, so it never mixes with the live application.
 */
public record StreamTopics(String packets, String l2, String sensors, String flows, String alerts, String deadletter) {
    public static final StreamTopics LIVE = new StreamTopics(Topics.PACKETS, Topics.L2, Topics.SENSORS, Topics.FLOWS,
            Topics.ALERTS, Topics.DEADLETTER);

    /** Private topics named {@code prefix.packets}, {@code prefix.l2} and so on. */
    public static StreamTopics privateTo(String prefix) {
        return new StreamTopics(prefix + ".packets", prefix + ".l2", prefix + ".sensors", prefix + ".flows",
                prefix + ".alerts", prefix + ".deadletter");
    }

    /** The public topics' names behind {@code prefix} (an analysis on a shared cluster keeps to its own copies). */
    public static StreamTopics withPrefix(String prefix) {
        return new StreamTopics(prefix + LIVE.packets, prefix + LIVE.l2, prefix + LIVE.sensors, prefix + LIVE.flows,
                prefix + LIVE.alerts, prefix + LIVE.deadletter);
    }

    public List<String> inputs() {
        return List.of(packets, l2, sensors);
    }

    public List<String> all() {
        return List.of(packets, l2, sensors, flows, alerts, deadletter);
    }
}
