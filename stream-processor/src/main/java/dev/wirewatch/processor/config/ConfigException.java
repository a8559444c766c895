package dev.wirewatch.processor.config;

/** A user's file is wrong: the message names the file, the line and the field, and is shown as is (exit 2). */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
