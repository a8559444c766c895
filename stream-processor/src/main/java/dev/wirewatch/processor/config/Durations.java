package dev.wirewatch.processor.config;

import java.time.Duration;

/** Durations in config.yaml: the shared form, with a bad one reported as a config error (exit code 2). */
public final class Durations {
    private Durations() {}

    public static Duration parse(String key, String text) {
        try {
            return dev.wirewatch.schemas.Durations.parse(key, text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    public static String format(Duration duration) {
        return dev.wirewatch.schemas.Durations.format(duration);
    }
}
