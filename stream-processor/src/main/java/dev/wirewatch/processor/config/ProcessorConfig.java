package dev.wirewatch.processor.config;

import dev.wirewatch.record.Severity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The processor's detector thresholds and timers: a value for every key of {@link ConfigKeys} (the table with each
 * key's type, default and description, listed in docs/configuration.md). Loaded from config.yaml (kebab-case keys,
 * durations like {@code 500ms}, {@code 5s}, {@code 2m}); every key is optional and an unknown key is an error with
 * its line. The typed reads below are for the code; the table is the definition.
 */
public final class ProcessorConfig {
    public static final ProcessorConfig DEFAULTS = new ProcessorConfig(Map.of());

    private final Map<ConfigKey<?>, Object> values = new LinkedHashMap<>();

    /** The defaults overridden by {@code given} (already parsed and checked). */
    private ProcessorConfig(Map<ConfigKey<?>, Object> given) {
        for (ConfigKey<?> key : ConfigKeys.all()) {
            values.put(key, given.getOrDefault(key, key.defaultValue()));
        }
    }

    /** The defaults when {@code file} is null. */
    public static ProcessorConfig load(Path file) {
        if (file == null) {
            return DEFAULTS;
        }
        Map<ConfigKey<?>, Object> given = new LinkedHashMap<>();
        YamlFiles.readScalars(file).forEach((name, value) -> {
            ConfigKey<?> key = ConfigKeys.all().stream().filter(known -> known.name().equals(name)).findFirst()
                    .orElseThrow(() -> new ConfigException(file + " line " + value.line() + ": unknown key '" + name
                            + "'" + didYouMean(name) + "; every key is in --print-config and docs/configuration.md"));
            try {
                given.put(key, key.parse(value.text()));
            } catch (ConfigException e) {
                throw new ConfigException(file + ": " + e.getMessage() + " (line " + value.line() + ")");
            }
        });
        return new ProcessorConfig(given);
    }

    /** This config with {@code key} set to {@code value}, checked as if it had been read. */
    public <T> ProcessorConfig with(ConfigKey<T> key, T value) {
        Map<ConfigKey<?>, Object> changed = new LinkedHashMap<>(values);
        changed.put(key, key.check(value));
        return new ProcessorConfig(changed);
    }

    public <T> T get(ConfigKey<T> key) {
        @SuppressWarnings("unchecked")
        T value = (T) values.get(key);
        return value;
    }

    /** config.yaml text with every key and its current value, for {@code --print-config}. */
    public String toYaml() {
        StringBuilder yaml = new StringBuilder();
        values.forEach((key, value) -> yaml.append(key.name()).append(": ").append(key.format(value)).append('\n'));
        return yaml.toString();
    }

    /** The severity of an alert of {@code alertType}: its {@code *-severity} key, else fixed by the table. */
    public Severity severity(String alertType) {
        ConfigKey<Severity> key = ConfigKeys.severityByAlertType().get(alertType);
        if (key != null) {
            return get(key);
        }
        Severity fixed = ConfigKeys.FIXED_SEVERITIES.get(alertType);
        if (fixed == null) {
            throw new IllegalArgumentException("no severity for alert type " + alertType + " in ConfigKeys");
        }
        return fixed;
    }

    private static String didYouMean(String name) {
        return ConfigKeys.all().stream().map(ConfigKey::name)
                .min(Comparator.comparingInt(known -> Spelling.distance(name, known)))
                .filter(closest -> Spelling.distance(name, closest) <= Math.max(2, name.length() / 4))
                .map(closest -> "; did you mean '" + closest + "'?").orElse("");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ProcessorConfig config && values.equals(config.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "ProcessorConfig" + values.entrySet().stream().map(e -> e.getKey().name() + "=" + e.getKey().format(e.getValue()))
                .toList();
    }

    // Typed reads, in the table's order; timers in microseconds as the stream's clocks count them.

    public long synAnswerTimeoutMicros() {
        return micros(ConfigKeys.SYN_ANSWER_TIMEOUT);
    }

    public long clockSkewMicros() {
        return micros(ConfigKeys.CLOCK_SKEW);
    }

    public long refusalWindowMicros() {
        return micros(ConfigKeys.REFUSAL_WINDOW);
    }

    public long acceptingLookbackMicros() {
        return micros(ConfigKeys.ACCEPTING_LOOKBACK);
    }

    public long halfOpenGraceMicros() {
        return micros(ConfigKeys.HALF_OPEN_GRACE);
    }

    public long reconnectWindowMicros() {
        return micros(ConfigKeys.RECONNECT_WINDOW);
    }

    public int keepaliveProbes() {
        return Math.toIntExact(get(ConfigKeys.KEEPALIVE_PROBES));
    }

    public long arpChangeWindowMicros() {
        return micros(ConfigKeys.ARP_CHANGE_WINDOW);
    }

    public long announcementGraceMicros() {
        return micros(ConfigKeys.ANNOUNCEMENT_GRACE);
    }

    public long addressForgetAfterMicros() {
        return micros(ConfigKeys.ADDRESS_FORGET_AFTER);
    }

    public long redirectGraceMicros() {
        return micros(ConfigKeys.REDIRECT_GRACE);
    }

    public long redirectObserveWindowMicros() {
        return micros(ConfigKeys.REDIRECT_OBSERVE_WINDOW);
    }

    public long routeMismatchRepeatMicros() {
        return micros(ConfigKeys.ROUTE_MISMATCH_REPEAT);
    }

    public long coverageGapRepeatMicros() {
        return micros(ConfigKeys.COVERAGE_GAP_REPEAT);
    }

    public long sensorSilenceMicros() {
        return micros(ConfigKeys.SENSOR_SILENCE);
    }

    public long laggingSensorWaitMicros() {
        return micros(ConfigKeys.LAGGING_SENSOR_WAIT);
    }

    public long sensorDegradedRepeatMicros() {
        return micros(ConfigKeys.SENSOR_DEGRADED_REPEAT);
    }

    public long synAttemptWindowMicros() {
        return micros(ConfigKeys.SYN_ATTEMPT_WINDOW);
    }

    public long tcpIdleTimeoutMicros() {
        return micros(ConfigKeys.TCP_IDLE_TIMEOUT);
    }

    public long stateMemoryBytes() {
        return get(ConfigKeys.STATE_MEMORY_MIB) << 20;
    }

    public long connectionBudget() {
        return get(ConfigKeys.CONNECTION_BUDGET);
    }

    private long micros(ConfigKey<Duration> key) {
        return get(key).toNanos() / 1000;
    }
}
