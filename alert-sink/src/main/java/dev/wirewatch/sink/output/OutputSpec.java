package dev.wirewatch.sink.output;

import dev.wirewatch.record.Severity;
import dev.wirewatch.sink.delivery.RateLimit;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One {@code --to} argument: {@code KIND[:TARGET][;OPTION=VALUE...]}, for example
 * {@code webhook:https://hooks.example.com/ww;secret-file=/etc/wirewatch/hook.key;min-severity=warning;rate=30/m}.
 * A target written {@code @FILE} is read from that file, so URLs that carry tokens stay off the command line; no
 * error message repeats a target, since it may be such a URL.
 */
public record OutputSpec(String kind, String target, Map<String, String> options) {
    /** Options every output takes: which severities it is sent, and how many notifications per period at most. */
    public static final Set<String> COMMON_OPTIONS = Set.of("min-severity", "rate");

    private static final Map<String, Set<String>> KINDS = Map.of(
            "stdout", Set.of("format"),
            "jsonl", Set.of("max-size", "keep"),
            "webhook", Set.of("secret-file", "timeout"),
            "alertmanager", Set.of("generator-url", "timeout"),
            "slack", Set.of("timeout"),
            "syslog", Set.of("transport"));

    public static OutputSpec parse(String text) {
        String[] parts = text.split(";");
        String head = parts[0].trim();
        int colon = head.indexOf(':');
        String kind = colon < 0 ? head : head.substring(0, colon);
        String target = colon < 0 ? "" : head.substring(colon + 1);
        Set<String> allowed = KINDS.get(kind);
        if (allowed == null) {
            throw new IllegalArgumentException("--to: unknown output '" + kind
                    + "': use stdout, jsonl:PATH, webhook:URL, alertmanager:URL, slack:URL or syslog:HOST:PORT");
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String option = parts[i].trim();
            int equals = option.indexOf('=');
            String name = equals < 0 ? option : option.substring(0, equals);
            if (equals < 0 || !(allowed.contains(name) || COMMON_OPTIONS.contains(name))) {
                throw new IllegalArgumentException("--to " + kind + ": unknown option '" + option + "'; " + kind
                        + " takes " + String.join(", ", allowed) + (allowed.isEmpty() ? "" : ", ")
                        + String.join(", ", COMMON_OPTIONS) + " as NAME=VALUE");
            }
            options.put(name, option.substring(equals + 1));
        }
        if (target.startsWith("@")) {
            target = readTarget(kind, Path.of(target.substring(1)));
        }
        OutputSpec spec = new OutputSpec(kind, target, Map.copyOf(options));
        spec.check();
        return spec;
    }

    public String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    /** The URL of an HTTP output, checked. */
    public URI uri() {
        try {
            URI uri = new URI(target);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("--to " + kind + ": the target is not an http(s) URL with a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--to " + kind + ": not a URL: " + e.getReason());
        }
    }

    /** Kind and host: how logs and metrics name the output (a webhook's path and query may be its secret). */
    public String name() {
        return switch (kind) {
            case "stdout" -> "stdout";
            case "jsonl", "syslog" -> kind + ":" + target;
            default -> kind + ":" + uri().getHost() + (uri().getPort() < 0 ? "" : ":" + uri().getPort());
        };
    }

    private void check() {
        RateLimit.parse(options.get("rate"), 0);
        minSeverity();
        switch (kind) {
            case "jsonl" -> {
                if (target.isEmpty()) {
                    throw new IllegalArgumentException("--to jsonl needs a file: jsonl:PATH");
                }
            }
            case "syslog" -> {
                int colon = target.lastIndexOf(':');
                if (colon <= 0 || !target.substring(colon + 1).matches("\\d{1,5}")) {
                    throw new IllegalArgumentException("--to syslog needs HOST:PORT");
                }
            }
            case "webhook", "alertmanager", "slack" -> uri();
            default -> { }
        }
    }

    /** The least severe alert this output is sent (default: every alert). */
    public Severity minSeverity() {
        String text = option("min-severity", "info");
        try {
            return Severity.valueOf(text.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--to " + kind + ": min-severity '" + text
                    + "' is not a severity: use info, warning or critical");
        }
    }

    private static String readTarget(String kind, Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new IllegalArgumentException("--to " + kind + ":@" + file + ": cannot read: " + e.getMessage());
        }
    }
}
