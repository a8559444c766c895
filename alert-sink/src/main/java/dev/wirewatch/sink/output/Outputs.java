package dev.wirewatch.sink.output;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.wirewatch.schemas.Durations;
import java.time.Duration;

/** Builds the output a {@code --to} names. */
public final class Outputs {
    /** How long an HTTP output waits to connect and for an answer. */
    public static final String DEFAULT_TIMEOUT = "10s";
    /** When a JSON-lines file is rotated, and how many rotated files are kept. */
    public static final String DEFAULT_MAX_SIZE = "100MB";
    public static final String DEFAULT_KEEP = "5";

    private Outputs() {}

    private static int keep(String text) {
        try {
            int keep = Integer.parseInt(text.trim());
            if (keep >= 0) {
                return keep;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--to jsonl: keep '" + text + "' is not a number of files (0 or more)");
    }

    /**
     * @param resolveAfter how long a condition stays open without a new alert; Alertmanager is told this as endsAt, so it
     *                     closes the alert itself if the sink goes away
     */
    public static Output create(OutputSpec spec, Duration resolveAfter) {
        Duration timeout = Durations.parse("--to " + spec.kind() + " timeout", spec.option("timeout", DEFAULT_TIMEOUT));
        return switch (spec.kind()) {
            case "stdout" -> new StdoutOutput(AlertFormat.parse(spec.option("format", "text")));
            case "jsonl" -> new JsonlFileOutput(Path.of(spec.target()), ByteSizes.parse(spec.option("max-size", DEFAULT_MAX_SIZE)),
                    keep(spec.option("keep", DEFAULT_KEEP)));
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
