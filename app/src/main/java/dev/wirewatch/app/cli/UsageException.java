package dev.wirewatch.app.cli;

/** Something the user can fix: shown as one line on stderr, exit code 2. */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
