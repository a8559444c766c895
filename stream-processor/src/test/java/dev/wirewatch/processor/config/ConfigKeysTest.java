package dev.wirewatch.processor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.record.Severity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every key of the table: its default applies, another value is read, a wrong one is refused in plain words. */
class ConfigKeysTest {
    @TempDir
    Path temp;

    @Test
    void everyKeyHasItsDefaultAndIsPrintedOnceInTheTablesOrder() {
        StringBuilder expected = new StringBuilder();
        for (ConfigKey<?> key : ConfigKeys.all()) {
            assertEquals(key.defaultValue(), ProcessorConfig.DEFAULTS.get(key), key.name());
            expected.append(key.name()).append(": ").append(key.format(key.defaultValue())).append('\n');
            assertTrue(!key.description().isBlank(), key.name() + " says what it does");
        }
        assertEquals(expected.toString(), ProcessorConfig.DEFAULTS.toYaml());
        assertEquals(ConfigKeys.all().size(), ConfigKeys.all().stream().map(ConfigKey::name).distinct().count());
    }

    @Test
    void everyKeyReadsAnotherValueAndPrintsItBack() throws IOException {
        for (ConfigKey<?> key : ConfigKeys.all()) {
            Object other = otherThanDefault(key);
            ProcessorConfig config = load("# one line before\n" + key.name() + ": " + key.format(other) + "\n");
            assertEquals(other, config.get(key), key.name());
            assertTrue(config.toYaml().contains(key.name() + ": " + key.format(other) + "\n"), key.name());
            assertEquals(config, load(config.toYaml()), "--print-config reads back: " + key.name());
        }
    }

    @Test
    void everyKeyRefusesAWrongValueNamingFileLineKeyValueAndWhatIsAllowed() {
        for (ConfigKey<?> key : ConfigKeys.all()) {
            for (String wrong : wrongValues(key.type())) {
                ConfigException refused = assertThrows(ConfigException.class,
                        () -> load("# one line before\n" + key.name() + ": " + wrong + "\n"), key.name() + ": " + wrong);
                String message = refused.getMessage();
                assertTrue(message.contains("config.yaml: " + key.name() + ": '" + wrong + "' is not"), message);
                assertTrue(message.contains(key.type().allowed()), message);
                assertTrue(message.endsWith("(line 2)"), message);
            }
        }
    }

    @Test
    void anUnknownKeyIsRefusedWithTheClosestKnownOne() {
        ConfigException misspelt = assertThrows(ConfigException.class, () -> load("clock-skew: 1s\nsyn-answer-timout: 3s\n"));
        assertTrue(misspelt.getMessage().endsWith("config.yaml line 2: unknown key 'syn-answer-timout'; did you mean "
                + "'syn-answer-timeout'?; every key is in --print-config and docs/configuration.md"), misspelt.getMessage());
        ConfigException unrelated = assertThrows(ConfigException.class, () -> load("colour: blue\n"));
        assertTrue(!unrelated.getMessage().contains("did you mean"), unrelated.getMessage());
    }

    @Test
    void severitiesAreOneMapByAlertType() throws IOException {
        for (Map.Entry<String, ConfigKey<Severity>> entry : ConfigKeys.severityByAlertType().entrySet()) {
            assertEquals(Severity.warning, ProcessorConfig.DEFAULTS.severity(entry.getKey()));
            ProcessorConfig raised = load(entry.getValue().name() + ": critical\n");
            assertEquals(Severity.critical, raised.severity(entry.getKey()), entry.getKey());
        }
        assertEquals(Severity.critical, load("unanswered-syn-severity: CRITICAL\n").severity("UNANSWERED_SYN"));
        ConfigKeys.FIXED_SEVERITIES.forEach((type, severity) -> assertEquals(severity, ProcessorConfig.DEFAULTS.severity(type)));
        assertThrows(IllegalArgumentException.class, () -> ProcessorConfig.DEFAULTS.severity("NO_SUCH_TYPE"));
    }

    /** keepalive-probes is counted in an int: a larger number is a config error, not a failure when it is read. */
    @Test
    void aCountBeyondWhatItsReaderHoldsIsRefused() throws IOException {
        ConfigException huge = assertThrows(ConfigException.class, () -> load("keepalive-probes: 3000000000\n"));
        assertTrue(huge.getMessage().contains("keepalive-probes: '3000000000' is not a whole number from 1 to "
                + Integer.MAX_VALUE), huge.getMessage());
        assertEquals(Integer.MAX_VALUE, load("keepalive-probes: " + Integer.MAX_VALUE + "\n").keepaliveProbes());
        assertThrows(ConfigException.class,
                () -> ProcessorConfig.DEFAULTS.with(ConfigKeys.KEEPALIVE_PROBES, Integer.MAX_VALUE + 1L));
        assertEquals(Long.MAX_VALUE, load("connection-budget: " + Long.MAX_VALUE + "\n").connectionBudget());
    }

    @Test
    void typedReadsFollowTheirKeys() throws IOException {
        ProcessorConfig config = load("clock-skew: 250ms\nkeepalive-probes: 4\nconnection-budget: 7\n");
        assertEquals(250_000, config.clockSkewMicros());
        assertEquals(4, config.keepaliveProbes());
        assertEquals(7, config.connectionBudget());
        assertEquals(Duration.ofSeconds(30).toNanos() / 1000,
                ProcessorConfig.DEFAULTS.with(ConfigKeys.SENSOR_SILENCE, Duration.ofSeconds(30)).sensorSilenceMicros());
        assertThrows(ConfigException.class, () -> ProcessorConfig.DEFAULTS.with(ConfigKeys.SENSOR_SILENCE, Duration.ZERO));
    }

    @Test
    void theLabsConfigStillLoads() {
        Path lab = Path.of(System.getProperty("user.dir")).getParent().resolve("deploy/lab/config.yaml");
        assertEquals(ProcessorConfig.DEFAULTS.with(ConfigKeys.REFUSAL_WINDOW, Duration.ofSeconds(10)), ProcessorConfig.load(lab));
    }

    private ProcessorConfig load(String yaml) throws IOException {
        return ProcessorConfig.load(Files.writeString(temp.resolve("config.yaml"), yaml));
    }

    private static Object otherThanDefault(ConfigKey<?> key) {
        Object other;
        if (key.type() instanceof ValueType.Time) {
            other = ((Duration) key.defaultValue()).plusSeconds(7);
        } else if (key.type() instanceof ValueType.Count) {
            other = (Long) key.defaultValue() + 3;
        } else {
            other = key.defaultValue() == Severity.critical ? Severity.info : Severity.critical;
        }
        assertNotEquals(key.defaultValue(), other);
        return other;
    }

    private static List<String> wrongValues(ValueType<?> type) {
        if (type instanceof ValueType.Time time) {
            return time.zeroAllowed() ? List.of("soon", "5 minutes", "-1s") : List.of("soon", "0s", "0ms");
        }
        if (type instanceof ValueType.Count count) {
            return count.maximum() == Long.MAX_VALUE ? List.of("1.5", "many", String.valueOf(count.minimum() - 1))
                    : List.of("1.5", "many", String.valueOf(count.minimum() - 1), String.valueOf(count.maximum() + 1));
        }
        return List.of("loud", "warn");
    }
}
