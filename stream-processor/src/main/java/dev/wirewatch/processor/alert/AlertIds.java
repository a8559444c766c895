package dev.wirewatch.processor.alert;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Alert ids derive from the finding, never from the time of processing: type, subject and the start of the
 * window the finding opened in. The same input therefore gives the same ids on replay and after a restart.
 */
public final class AlertIds {
    private AlertIds() {}

    public static String of(String type, long windowStartMicros, String... subject) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(type.getBytes(StandardCharsets.UTF_8));
            for (String part : subject) {
                sha.update((byte) 0);
                sha.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
            }
            sha.update((byte) 0);
            sha.update(Long.toString(windowStartMicros).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest(), 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
