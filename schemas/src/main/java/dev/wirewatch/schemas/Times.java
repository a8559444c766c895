package dev.wirewatch.schemas;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Capture time (epoch microseconds) as alerts print it: ISO-8601 UTC with microseconds. */
public final class Times {
    private static final DateTimeFormatter ISO_MICROS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private Times() {}

    public static String iso(long epochMicros) {
        return ISO_MICROS.format(Instant.ofEpochSecond(Math.floorDiv(epochMicros, 1_000_000),
                Math.floorMod(epochMicros, 1_000_000) * 1000));
    }

    public static String seconds(long micros) {
        return String.format(java.util.Locale.ROOT, "%.1f s", micros / 1e6);
    }
}
