package dev.wirewatch.sink.output;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Builds the output a {@code --to} names. */
public final class Outputs {
    private Outputs() {}

    /**
     * @param resolveAfter how long a condition stays open without a new alert; Alertmanager is told this as endsAt, so it
     *                     closes the alert itself if the sink goes away
     */
    public static Output create(OutputSpec spec, Duration resolveAfter) {
        Duration timeout = Durations.parse(spec.option("timeout", "10s"), "timeout");
        return switch (spec.kind()) {
            case "stdout" -> new StdoutOutput(AlertFormat.parse(spec.option("format", "text")));
            case "jsonl" -> new JsonlFileOutput(Path.of(spec.target()), ByteSizes.parse(spec.option("max-size", "100MB")),
                    Integer.parseInt(spec.option("keep", "5")));
            case "webhook" -> new WebhookOutput(spec.name(), spec.uri(), secret(spec), timeout);
            case "alertmanager" -> new AlertmanagerOutput(spec.name(), spec.uri(),
                    spec.option("generator-url", null), resolveAfter, timeout);
            case "slack" -> new SlackOutput(spec.name(), spec.uri(), timeout);
            case "syslog" -> SyslogOutput.connect(spec.target(), spec.option("transport", "udp"));
            default -> throw new IllegalArgumentException("unknown output " + spec.kind());
        };
    }

    /** The webhook's HMAC key, from a file only: a secret on the command line would show in ps and shell history. */
    private static byte[] secret(OutputSpec spec) {
        String file = spec.option("secret-file", null);
        if (file == null) {
            return null;
        }
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8).trim().getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("--to webhook: secret-file " + file + ": cannot read: " + e.getMessage());
        }
    }

    /** Durations such as 500ms, 10s, 2m, 1h. */
    public static final class Durations {
        private Durations() {}

        public static Duration parse(String text, String what) {
            var match = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(text.trim());
            if (!match.matches()) {
                throw new IllegalArgumentException(what + " '" + text + "' is not a duration: use e.g. 500ms, 10s, 2m, 1h");
            }
            long amount = Long.parseLong(match.group(1));
            return switch (match.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        }
    }

    /** Sizes such as 100MB, 512KB, 1GB (powers of 1024). */
    static final class ByteSizes {
        private ByteSizes() {}

        static long parse(String text) {
            var match = java.util.regex.Pattern.compile("(\\d+)\\s*([KMG]?)B?", java.util.regex.Pattern.CASE_INSENSITIVE)
                    .matcher(text.trim());
            if (!match.matches()) {
                throw new IllegalArgumentException("max-size '" + text + "' is not a size: use e.g. 100MB");
            }
            long amount = Long.parseLong(match.group(1));
            return switch (match.group(2).toUpperCase(java.util.Locale.ROOT)) {
                case "K" -> amount << 10;
                case "M" -> amount << 20;
                case "G" -> amount << 30;
                default -> amount;
            };
        }
    }
}
