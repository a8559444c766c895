package dev.wirewatch.app.console;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The console's logins: a file of {@code name:pbkdf2-sha256:ITERATIONS:SALT:HASH} lines (base64), as
 * {@code wirewatch console --hash-password NAME} prints them. Only hashes are stored; a password is compared in
 * constant time.
 */
public final class Logins {
    private static final String SCHEME = "pbkdf2-sha256";
    private static final int ITERATIONS = 210_000;

    private static final Duration REMEMBERED = Duration.ofMinutes(5);
    private static final String[] DUMMY = line("nobody", "no password").split(":");

    private final Map<String, String[]> users;
    private final Map<String, Long> verified = new ConcurrentHashMap<>();

    private Logins(Map<String, String[]> users) {
        this.users = users;
    }

    public static Logins load(Path file) {
        Map<String, String[]> users = new HashMap<>();
        try {
            int number = 0;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                number++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] fields = line.strip().split(":");
                if (fields.length != 5 || !fields[1].equals(SCHEME)) {
                    throw new IllegalArgumentException(file + " line " + number
                            + ": not NAME:" + SCHEME + ":ITERATIONS:SALT:HASH (make lines with --hash-password NAME)");
                }
                try {
                    if (Integer.parseInt(fields[2]) < 10_000 || Base64.getDecoder().decode(fields[3]).length < 8
                            || Base64.getDecoder().decode(fields[4]).length != 32) {
                        throw new IllegalArgumentException("weak or damaged");
                    }
                } catch (IllegalArgumentException e) { // also NumberFormatException and bad base64
                    throw new IllegalArgumentException(file + " line " + number + ": iterations, salt or hash are not"
                            + " what --hash-password writes (" + e.getMessage() + ")");
                }
                users.put(fields[0], fields);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (users.isEmpty()) {
            throw new IllegalArgumentException(file + " has no login");
        }
        return new Logins(users);
    }

    /**
     * Whether the password is the login's. A browser sends it with every request: a pair verified once is
     * remembered (as its SHA-256, for {@link #REMEMBERED}) instead of paying PBKDF2 on every poll; an unknown name
     * costs as much as a known one, so the time taken does not tell which names exist.
     */
    public boolean accepts(String name, String password) {
        String pair = sha256(name + ":" + password);
        Long until = verified.get(pair);
        if (until != null && until > System.nanoTime()) {
            return true;
        }
        String[] entry = users.getOrDefault(name, DUMMY);
        byte[] expected = Base64.getDecoder().decode(entry[4]);
        byte[] actual = hash(password, Base64.getDecoder().decode(entry[3]), Integer.parseInt(entry[2]));
        boolean accepted = MessageDigest.isEqual(expected, actual) && entry != DUMMY;
        if (accepted) {
            verified.put(pair, System.nanoTime() + REMEMBERED.toNanos());
        }
        return accepted;
    }

    private static String sha256(String text) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is in every JDK", e);
        }
    }

    /** A line for the logins file. */
    public static String line(String name, String password) {
        if (name.isEmpty() || name.contains(":")) {
            throw new IllegalArgumentException("a login name is not empty and has no ':'");
        }
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return String.join(":", name, SCHEME, String.valueOf(ITERATIONS), Base64.getEncoder().encodeToString(salt),
                Base64.getEncoder().encodeToString(hash(password, salt, ITERATIONS)));
    }

    private static byte[] hash(String password, byte[] salt, int iterations) {
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256)).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is in every JDK", e);
        }
    }
}
