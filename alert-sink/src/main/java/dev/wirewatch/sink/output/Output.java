package dev.wirewatch.sink.output;

import dev.wirewatch.sink.Notification;

/** A place findings go: a terminal, a file, an HTTP receiver, syslog. One per {@code --to}. */
public interface Output extends AutoCloseable {
    /** Its name in logs and metrics: kind and host, never a full URL (webhook and Slack URLs carry tokens). */
    String name();

    /** Hands one notification over, or says why not. Called from one thread at a time. */
    void send(Notification notification) throws DeliveryException;

    /** Whether it is told when a condition clears (files and terminals list findings only). */
    default boolean wantsResolved() {
        return true;
    }

    @Override
    default void close() {}
}
