package dev.wirewatch.processor.config;

import java.util.TreeMap;

/**
 * docs/configuration.md, written from {@link ConfigKeys}: ConfigurationDocTest fails when the file and the table
 * disagree, and says how to write it again.
 */
public final class ConfigReference {
    private ConfigReference() {}

    public static String markdown() {
        StringBuilder doc = new StringBuilder("""
                # Configuration reference

                <!-- Written from ConfigKeys.java (stream-processor, dev.wirewatch.processor.config) by ConfigReference:
                     edit the table there, not this file. -->

                `wirewatch processor`, `analyze` and `replay` read detector thresholds and timers from `--config FILE`, a
                YAML file of `key: value` lines. Every key is optional (a missing one keeps its default); an unknown key, a
                key given twice or a value that is not allowed stops the command with exit code 2 and one line naming the
                file, the line, the key and what is allowed. `--print-config` prints every key with the value in effect,
                in a form `--config` reads back. Durations are written `500ms`, `5s`, `2m` or `1h`.

                | Key | Default | Allowed | What it does |
                |-----|---------|---------|--------------|
                """);
        for (ConfigKey<?> key : ConfigKeys.all()) {
            doc.append("| `").append(key.name()).append("` | `").append(key.format(key.defaultValue())).append("` | ")
                    .append(key.type().allowed()).append(" | ").append(key.description()).append(" |\n");
        }
        doc.append("\nAlert types whose severity is fixed: ");
        new TreeMap<>(ConfigKeys.FIXED_SEVERITIES).forEach((type, severity) ->
                doc.append('`').append(type).append("` (").append(severity).append("), "));
        doc.setLength(doc.length() - 2);
        doc.append(". An alert that another one explains goes out as `info` whatever its type ")
                .append("([one fault, one alert](ALERTS.md#one-fault-one-alert)).\n");
        return doc.toString();
    }
}
