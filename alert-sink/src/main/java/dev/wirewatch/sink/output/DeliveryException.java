package dev.wirewatch.sink.output;

/** An output could not hand a notification over; {@code retryable} says whether trying again may help. */
public final class DeliveryException extends Exception {
    private final boolean retryable;

    public DeliveryException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public DeliveryException(String message, Throwable cause) {
        super(message, cause);
        this.retryable = true;
    }

    public boolean retryable() {
        return retryable;
    }
}
