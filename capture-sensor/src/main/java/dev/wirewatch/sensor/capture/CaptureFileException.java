package dev.wirewatch.sensor.capture;

/** A capture file that cannot be read: the message names the file and, where known, the byte offset. */
public final class CaptureFileException extends RuntimeException {
    public CaptureFileException(String message) {
        super(message);
    }

    public CaptureFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
