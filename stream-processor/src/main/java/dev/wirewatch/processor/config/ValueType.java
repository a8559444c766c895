package dev.wirewatch.processor.config;

import dev.wirewatch.schemas.Durations;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What kind of value a config key holds: how its text is read and written, and which values it allows, said in
 * words for errors and docs/configuration.md.
 */
public sealed interface ValueType<T> {
    /** The value {@code text} stands for; an {@link IllegalArgumentException} if it stands for none. */
    T read(String text);

    /** Whether {@code value} is in the allowed range. */
    boolean accepts(T value);

    /** The text that {@link #read} reads back as {@code value}. */
    String format(T value);

    /** What may be written, e.g. "a duration above 0 (500ms, 5s, 2m, 1h)". */
    String allowed();

    /** Durations such as {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}; zero only where {@code zeroAllowed}. */
    record Time(boolean zeroAllowed) implements ValueType<Duration> {
        @Override
        public Duration read(String text) {
            return Durations.parse("", text);
        }

        @Override
        public boolean accepts(Duration value) {
            return !value.isNegative() && (zeroAllowed || !value.isZero());
        }

        @Override
        public String format(Duration value) {
            return Durations.format(value);
        }

        @Override
        public String allowed() {
            return "a duration " + (zeroAllowed ? "of 0 or more" : "above 0") + " (500ms, 5s, 2m, 1h)";
        }
    }

    /** Whole numbers from {@code minimum} to {@code maximum} (the most the code that reads it can hold). */
    record Count(long minimum, long maximum) implements ValueType<Long> {
        /** At least {@code minimum}, and no more than an {@code int} holds. */
        public static Count ofInt(long minimum) {
            return new Count(minimum, Integer.MAX_VALUE);
        }

        /** At least {@code minimum}, up to what a {@code long} holds. */
        public static Count ofLong(long minimum) {
            return new Count(minimum, Long.MAX_VALUE);
        }

        @Override
        public Long read(String text) {
            return Long.parseLong(text);
        }

        @Override
        public boolean accepts(Long value) {
            return value >= minimum && value <= maximum;
        }

        @Override
        public String format(Long value) {
            return String.valueOf(value);
        }

        @Override
        public String allowed() {
            return maximum == Long.MAX_VALUE ? "a whole number of at least " + minimum
                    : "a whole number from " + minimum + " to " + maximum;
        }
    }

    /** One of an enum's constants, written in lower case (any case is read). */
    record Choice<E extends Enum<E>>(Class<E> type) implements ValueType<E> {
        @Override
        public E read(String text) {
            return Arrays.stream(type.getEnumConstants()).filter(constant -> format(constant).equals(
                    text.toLowerCase(Locale.ROOT))).findFirst().orElseThrow(IllegalArgumentException::new);
        }

        @Override
        public boolean accepts(E value) {
            return true;
        }

        @Override
        public String format(E value) {
            return value.name().toLowerCase(Locale.ROOT);
        }

        @Override
        public String allowed() {
            return "one of " + Arrays.stream(type.getEnumConstants()).map(this::format).collect(Collectors.joining(", "));
        }
    }
}
