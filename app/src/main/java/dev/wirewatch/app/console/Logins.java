package dev.wirewatch.app.console;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
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

    private final Map<String, String[]> users;

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

    public boolean accepts(String name, String password) {
        String[] entry = users.get(name);
        if (entry == null) {
            return false;
        }
        byte[] expected = Base64.getDecoder().decode(entry[4]);
        byte[] actual = hash(password, Base64.getDecoder().decode(entry[3]), Integer.parseInt(entry[2]));
        return MessageDigest.isEqual(expected, actual);
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
