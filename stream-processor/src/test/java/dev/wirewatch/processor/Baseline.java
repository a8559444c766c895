package dev.wirewatch.processor;

import dev.wirewatch.record.Alert;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * A seed case's expected findings, deploy/samples/NN-name/expected.txt, in deploy/lab/expect.py's line format (the
 * lab reads the same file): {@code TYPE field=value ...} must be reported, {@code !TYPE field=value ...} must not,
 * {@code #} starts a comment. Fields are ALERTS.md's JSON names; a list matches when it contains the value.
 */
public record Baseline(List<Rule> rules) {
    /** One line: whether it forbids, the alert type, the fields it names, and the line as written. */
    public record Rule(boolean negative, String type, Map<String, String> fields, String line) {
        public boolean matches(Alert alert) {
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
            for (String raw : Files.readAllLines(file)) {
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                boolean negative = line.startsWith("!");
                String[] words = line.replaceFirst("^!", "").split("\\s+");
                Map<String, String> fields = new LinkedHashMap<>();
                for (int i = 1; i < words.length; i++) {
                    String[] pair = words[i].split("=", 2);
                    fields.put(pair[0], pair[1]);
                }
                rules.add(new Rule(negative, words[0], fields, line));
            }
            return new Baseline(rules);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
