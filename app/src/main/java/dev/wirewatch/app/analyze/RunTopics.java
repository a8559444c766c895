package dev.wirewatch.app.analyze;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Where an analysis keeps its records, its processor's state and its alerts: the public topics' names behind
 * {@code prefix} ({@code PREFIXww.packets}, {@code PREFIXww.alerts}, ...), and an application id that starts with it
 * too, so its changelogs and internal topics do. On a shared cluster this keeps a live processor from judging
 * the analysed captures, and the analysis from reading the live sensors' ticks and the live processor's alerts.
 *
 * @param prefix put before every topic name; empty: the cluster's own topics (only for a broker of the run's own)
 * @param keep   leave the topics on the cluster after the run; else every topic named with the prefix is deleted
 */
public record RunTopics(String prefix, boolean keep) {
    /** The cluster's own topic names: for an embedded broker that lives and dies with the run. */
    public static final RunTopics OWN_BROKER = new RunTopics("", true);

    private static final Pattern LEGAL = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    /** Topics of this run only ({@code ww-analyze-<run id>.}), deleted after it. */
    public static RunTopics perRun() {
        return new RunTopics("ww-analyze-" + UUID.randomUUID().toString().substring(0, 8) + ".", false);
    }

    /** Topics behind a prefix the user chose, kept after the run (to read the alerts later, or feed a sink). */
    public static RunTopics kept(String prefix) {
        if (prefix == null || !LEGAL.matcher(prefix).matches()) {
            throw new IllegalArgumentException("--topic-prefix '" + prefix + "': 1 to 100 of the characters Kafka allows"
                    + " in topic names (letters, digits, '.', '_', '-'), e.g. ww-analyze-case42.");
        }
        return new RunTopics(prefix, true);
    }

    /** A fresh application id: a new consumer group, changelogs and internal topics named behind the prefix. */
    String newApplicationId() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        return (prefix.isEmpty() ? "wirewatch-" : prefix) + "analyze-" + run;
    }

    /** Whether the run's topics are removed when it ends (also when it fails or is interrupted). */
    boolean deletedAfter() {
        return !prefix.isEmpty() && !keep;
    }
}
