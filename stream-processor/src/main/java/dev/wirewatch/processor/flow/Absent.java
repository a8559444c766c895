package dev.wirewatch.processor.flow;

/**
 * The one way the flow package says "absent" in a {@code long}: {@link #NONE} for a time (or sequence number, or
 * TCP timestamp value) of something that did not happen, {@link #NEVER} for a due time that is not set, so that
 * {@code Math.min} over due times needs no test. {@link ViewCodec} stores them as earlier versions did.
 */
public final class Absent {
    /** No such time or value: the event was not seen. Below every real one. */
    public static final long NONE = Long.MIN_VALUE;
    /** No due time: the timer is not set. After every real one. */
    public static final long NEVER = Long.MAX_VALUE;

    private Absent() {}
}
