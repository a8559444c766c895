package dev.wirewatch.app.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A point in capture time on the command line: an ISO-8601 instant ({@code 2026-12-01T08:00:00Z}, or with an offset),
 * a date-time without zone (UTC), a date (its UTC midnight), {@code now}, or an age such as {@code 90m}, {@code 6h},
 * {@code 1d} (that long before now).
 */
final class TimeArgument {
    private static final Pattern AGE = Pattern.compile("(\\d+)([smhd])");

    private TimeArgument() {}

    /** @param option the option the text came from, named in the error */
    static Instant parse(String option, String text, Instant now) {
        String value = text.trim();
        if (value.equalsIgnoreCase("now")) {
            return now;
        }
        Matcher age = AGE.matcher(value.toLowerCase(Locale.ROOT));
        if (age.matches()) {
            long amount = Long.parseLong(age.group(1));
            Duration unit = switch (age.group(2)) {
                case "s" -> Duration.ofSeconds(1);
                case "m" -> Duration.ofMinutes(1);
                case "h" -> Duration.ofHours(1);
                default -> Duration.ofDays(1);
            };
            return now.minus(unit.multipliedBy(amount));
        }
        try {
            return java.time.OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException notOffset) {
            try {
                return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException notLocal) {
                try {
                    return LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC);
                } catch (DateTimeParseException notDate) {
                    throw new IllegalArgumentException(option + " '" + text + "' is not a time: use 2026-12-01T08:00:00Z, "
                            + "2026-12-01 (UTC midnight), now, or an age such as 6h or 1d");
                }
            }
        }
    }
}
