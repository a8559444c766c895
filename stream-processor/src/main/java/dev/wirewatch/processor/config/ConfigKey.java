package dev.wirewatch.processor.config;

/**
 * One key of config.yaml, everything about it in one place: its name, the kind of value it holds, its default and
 * what it does. {@link ConfigKeys} lists them all; reading, checking, {@code --print-config} and
 * docs/configuration.md all come from that list.
 */
public record ConfigKey<T>(String name, ValueType<T> type, T defaultValue, String description) {
    public ConfigKey {
        if (!type.accepts(defaultValue)) {
            throw new IllegalArgumentException(name + ": the default is not " + type.allowed());
        }
    }

    /** The value {@code text} stands for, or a {@link ConfigException} that names this key and what is allowed. */
    public T parse(String text) {
        T value;
        try {
            value = type.read(text.trim());
        } catch (IllegalArgumentException e) {
            value = null;
        }
        if (value == null || !type.accepts(value)) {
            throw refused(text);
        }
        return value;
    }

    /** {@code value}, if this key allows it. */
    public T check(T value) {
        if (!type.accepts(value)) {
            throw refused(type.format(value));
        }
        return value;
    }

    /** How {@code value} (this key's) is written in config.yaml. */
    public String format(Object value) {
        @SuppressWarnings("unchecked")
        T typed = (T) value;
        return type.format(typed);
    }

    private ConfigException refused(String text) {
        return new ConfigException(name + ": '" + text + "' is not " + type.allowed());
    }
}
