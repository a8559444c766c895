package dev.wirewatch.processor;

import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Severity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * A seed case's expected findings, deploy/samples/NN-name/expected.txt, in deploy/lab/expect.py's line format (the
 * lab reads the same file): {@code TYPE field=value ...} must be reported, {@code !TYPE field=value ...} must not,
 * {@code #} starts a comment. Fields are ALERTS.md's JSON names; a list matches when it contains the value.
 * {@code @recording LINE} holds for the recorded captures only (what a live run may split differently, such as how
 * many attempts fall in one alert's window): these tests read it as {@code LINE}, the lab skips it.
 * {@code !severity>=LEVEL} (or without {@code !}) matches any alert of that severity or above, but for the types
 * {@code except=TYPE,...} names (a healthy twin's real failover). Any other word without
 * {@code =} is refused with its line, as expect.py refuses it.
 */
public record Baseline(List<Rule> rules) {
    private static final String SEVERITY_AT_LEAST = "severity>=";
    private static final String RECORDING_ONLY = "@recording";

    /**
     * One line: whether it forbids, the alert type (null for a {@code severity>=} line, whose lowest severity is
     * {@code atLeast}), the fields it names, and the line as written.
     */
    public record Rule(boolean negative, String type, Severity atLeast, Map<String, String> fields, String line) {
        public boolean matches(Alert alert) {
            if (atLeast != null) {
                return alert.getSeverity().ordinal() >= atLeast.ordinal()
                        && !List.of(fields.getOrDefault("except", "").split(",")).contains(alert.getType());
            }
            if (!alert.getType().equals(type)) {
                return false;
            }
            return fields.entrySet().stream()
                    .allMatch(field -> matches(jsonField(alert, field.getKey()), field.getValue()));
        }

        private static boolean matches(Object value, String wanted) {
            if (value instanceof List<?> list) {
                return list.stream().map(String::valueOf).anyMatch(wanted::equals);
            }
            return value != null && String.valueOf(value).equals(wanted);
        }
    }

    public static Baseline read(Path file) {
        try {
            List<Rule> rules = new ArrayList<>();
            List<String> lines = Files.readAllLines(file);
            for (int number = 1; number <= lines.size(); number++) {
                String line = lines.get(number - 1).strip().replaceFirst("^" + RECORDING_ONLY + "\\s+", "");
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                boolean negative = line.startsWith("!");
                String[] words = line.replaceFirst("^!", "").split("\\s+");
                Map<String, String> fields = new LinkedHashMap<>();
                for (int i = 1; i < words.length; i++) {
                    String[] pair = words[i].split("=", 2);
                    if (pair.length < 2 || pair[0].isEmpty()) {
                        throw new IllegalArgumentException(file + " line " + number + ": '" + words[i]
                                + "' is not field=value (the format of deploy/lab/expect.py)");
                    }
                    fields.put(pair[0], pair[1]);
                }
                if (words[0].startsWith(SEVERITY_AT_LEAST)) {
                    rules.add(new Rule(negative, null, severity(words[0], file, number), fields, line));
                } else {
                    rules.add(new Rule(negative, words[0], null, fields, line));
                }
            }
            return new Baseline(rules);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Severity severity(String word, Path file, int number) {
        String level = word.substring(SEVERITY_AT_LEAST.length());
        try {
            return Severity.valueOf(level);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + " line " + number + ": '" + level + "' is not a severity "
                    + Arrays.toString(Severity.values()));
        }
    }

    /** What the alerts break: each positive line no alert matches, each negative line some alert matches. */
    public List<String> problems(List<Alert> alerts) {
        List<String> problems = new ArrayList<>();
        for (Rule rule : rules) {
            List<Alert> matching = alerts.stream().filter(rule::matches).toList();
            if (!rule.negative() && matching.isEmpty()) {
                problems.add("missing " + rule.line());
            } else if (rule.negative() && !matching.isEmpty()) {
                problems.add("unexpected " + rule.line().substring(1) + ": " + matching);
            }
        }
        return problems;
    }

    /** The alert's field under its JSON name (ALERTS.md: the record's field in snake_case, e.g. dst_ip). */
    private static Object jsonField(Alert alert, String jsonName) {
        for (Schema.Field field : alert.getSchema().getFields()) {
            if (field.name().replaceAll("([A-Z])", "_$1").toLowerCase().equals(jsonName)) {
                return alert.get(field.pos());
            }
        }
        throw new IllegalArgumentException("no alert field " + jsonName + " (ALERTS.md names the fields)");
    }
}
