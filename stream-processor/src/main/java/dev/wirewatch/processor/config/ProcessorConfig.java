package dev.wirewatch.processor.config;

import dev.wirewatch.record.Severity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every detector threshold and timer of the processor, with its default right here. Loaded from config.yaml
 * (kebab-case keys, durations like {@code 500ms}, {@code 5s}, {@code 2m}); every key is optional and an unknown
 * key is an error with its line.
 *
 * @param synAnswerTimeout          a client's SYN with no SYN-ACK and no RST this long after the last attempt is unanswered
 * @param clockSkew                 allowance for clock differences between hosts before a packet missing at another vantage counts as absent
 * @param refusalWindow             CONNECTION_REFUSED aggregates refused attempts on one service over windows of this length
 * @param acceptingLookback         ports that completed handshakes this recently are listed as {@code accepting_ports}
 * @param unansweredSynSeverity     severity of UNANSWERED_SYN
 * @param connectionRefusedSeverity severity of CONNECTION_REFUSED
 */
public record ProcessorConfig(
        Duration synAnswerTimeout,
        Duration clockSkew,
        Duration refusalWindow,
        Duration acceptingLookback,
        Severity unansweredSynSeverity,
        Severity connectionRefusedSeverity) {

    public static final ProcessorConfig DEFAULTS = new ProcessorConfig(
            Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofMinutes(10),
            Severity.warning, Severity.warning);

    public ProcessorConfig {
        positive("syn-answer-timeout", synAnswerTimeout);
        notNegative("clock-skew", clockSkew);
        positive("refusal-window", refusalWindow);
        notNegative("accepting-lookback", acceptingLookback);
    }

    /** The defaults when {@code file} is null. */
    public static ProcessorConfig load(Path file) {
        if (file == null) {
            return DEFAULTS;
        }
        FileForm form = YamlFiles.read(file, FileForm.class);
        try {
            return new ProcessorConfig(
                    Durations.parse("syn-answer-timeout", form.synAnswerTimeout),
                    Durations.parse("clock-skew", form.clockSkew),
                    Durations.parse("refusal-window", form.refusalWindow),
                    Durations.parse("accepting-lookback", form.acceptingLookback),
                    severity("unanswered-syn-severity", form.unansweredSynSeverity),
                    severity("connection-refused-severity", form.connectionRefusedSeverity));
        } catch (ConfigException e) {
            throw new ConfigException(file + ": " + e.getMessage());
        }
    }

    /** config.yaml text with every key and its current value, for {@code --print-config}. */
    public String toYaml() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("syn-answer-timeout", Durations.format(synAnswerTimeout));
        keys.put("clock-skew", Durations.format(clockSkew));
        keys.put("refusal-window", Durations.format(refusalWindow));
        keys.put("accepting-lookback", Durations.format(acceptingLookback));
        keys.put("unanswered-syn-severity", unansweredSynSeverity.name());
        keys.put("connection-refused-severity", connectionRefusedSeverity.name());
        StringBuilder yaml = new StringBuilder();
        keys.forEach((key, value) -> yaml.append(key).append(": ").append(value).append('\n'));
        return yaml.toString();
    }

    public long synAnswerTimeoutMicros() {
        return micros(synAnswerTimeout);
    }

    public long clockSkewMicros() {
        return micros(clockSkew);
    }

    public long refusalWindowMicros() {
        return micros(refusalWindow);
    }

    public long acceptingLookbackMicros() {
        return micros(acceptingLookback);
    }

    private static long micros(Duration duration) {
        return duration.toNanos() / 1000;
    }

    private static Severity severity(String key, String text) {
        try {
            return Severity.valueOf(text.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": '" + text + "' is not one of info, warning, critical");
        }
    }

    private static void positive(String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new ConfigException(key + " must be positive, was " + Durations.format(value));
        }
    }

    private static void notNegative(String key, Duration value) {
        if (value.isNegative()) {
            throw new ConfigException(key + " must not be negative, was " + Durations.format(value));
        }
    }

    /** The file's shape: every key optional, absent keys keep the default. */
    static final class FileForm {
        public String synAnswerTimeout = Durations.format(DEFAULTS.synAnswerTimeout);
        public String clockSkew = Durations.format(DEFAULTS.clockSkew);
        public String refusalWindow = Durations.format(DEFAULTS.refusalWindow);
        public String acceptingLookback = Durations.format(DEFAULTS.acceptingLookback);
        public String unansweredSynSeverity = DEFAULTS.unansweredSynSeverity.name();
        public String connectionRefusedSeverity = DEFAULTS.connectionRefusedSeverity.name();
    }
}
