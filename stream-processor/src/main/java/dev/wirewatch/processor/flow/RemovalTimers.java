package dev.wirewatch.processor.flow;

import static dev.wirewatch.processor.flow.Absent.NEVER;
import static dev.wirewatch.processor.flow.EndpointState.INACTIVE;
import static dev.wirewatch.processor.flow.EndpointState.RESET;
import static dev.wirewatch.processor.flow.EndpointState.SYN_ACK_SENT;
import static dev.wirewatch.processor.flow.EndpointState.SYN_SENT;

/**
 * Zeek's timers that remove a TCP connection before its inactivity timeout, each kept as the time it was set
 * ({@link Absent#NEVER}: not set); their delays ({@link ConnectionTimeouts}) apply on reading, so a configuration
 * change applies to stored connections too.
 */
final class RemovalTimers {
    /** The originator's SYN (or SYN-ACK) with no answer: Zeek's attempt timer. */
    long attemptFrom = NEVER;
    /** One side closed that had been inactive: the partial-close timer. */
    long partialCloseFrom = NEVER;
    /** One side closed, the other still open: the expire timer's start. */
    long closeExpireFrom = NEVER;
    /** The connection is over (both closed, or reset, or closed facing silence): removed after the close delay. */
    long deleteFrom = NEVER;
    /** A RST after the side's FIN: the reset timer. */
    long resetFrom = NEVER;
    /** Set with {@link #deleteFrom}: the other timers no longer count. */
    boolean cancelled;

    void attempted(long ts) {
        if (!cancelled) {
            attemptFrom = Math.min(attemptFrom, ts);
        }
    }

    void resetAfterClose(long ts) {
        if (!cancelled) {
            resetFrom = Math.min(resetFrom, ts);
        }
    }

    /** Zeek's ConnectionClosed for a side's first FIN or RST, at the connection's last activity. */
    void sideClosed(TcpEndpoint endpoint, TcpEndpoint peer, long lastMicros) {
        boolean complete = endpoint.state == RESET || peer.didClose || peer.state == INACTIVE;
        if (complete) {
            cancelled = true;
            attemptFrom = NEVER;
            partialCloseFrom = NEVER;
            closeExpireFrom = NEVER;
            deleteFrom = lastMicros;
        } else if (endpoint.prevState == INACTIVE) {
            partialCloseFrom = Math.min(partialCloseFrom, lastMicros);
        } else {
            closeExpireFrom = Math.min(closeExpireFrom, lastMicros);
        }
    }

    boolean over() {
        return deleteFrom != NEVER;
    }

    /** When Zeek removes the TCP connection of these two sides, started and last active at the times given. */
    long removalMicros(TcpEndpoint orig, TcpEndpoint resp, long startMicros, long lastMicros,
                       ConnectionTimeouts limits) {
        long removal = lastMicros + limits.tcpInactivity();
        if (deleteFrom != NEVER) {
            removal = Math.min(removal, deleteFrom + limits.closeDelay());
        }
        if (cancelled) {
            return removal;
        }
        if (resetFrom != NEVER) {
            removal = Math.min(removal, resetFrom + limits.resetDelay());
        }
        if (attemptFrom != NEVER && (orig.state == SYN_SENT || orig.state == SYN_ACK_SENT) && resp.state == INACTIVE) {
            removal = Math.min(removal, attemptFrom + limits.attemptDelay());
        }
        if (partialCloseFrom != NEVER && orig.state != INACTIVE && resp.state != INACTIVE
                && !(orig.didClose && resp.didClose) && orig.state != RESET && resp.state != RESET) {
            removal = Math.min(removal, partialCloseFrom + limits.partialCloseDelay());
        }
        if (expireCondition(orig, resp)) {
            long afterLinger = lastMicros + limits.connectionLinger();
            removal = Math.min(removal, firstTickAfter(startMicros + limits.synTimeout(), limits.sessionTimer(), afterLinger));
            if (closeExpireFrom != NEVER) {
                removal = Math.min(removal,
                        firstTickAfter(closeExpireFrom + limits.sessionTimer(), limits.sessionTimer(), afterLinger));
            }
        }
        return removal;
    }

    /** Zeek's expire timer removes the connection at its next tick: one side closed facing a closed, reset or silent one. */
    private static boolean expireCondition(TcpEndpoint orig, TcpEndpoint resp) {
        if (orig.didClose || resp.didClose) {
            if ((orig.didClose && resp.didClose) || orig.state == RESET || resp.state == RESET
                    || orig.state == INACTIVE || resp.state == INACTIVE) {
                return true;
            }
        }
        return resp.state == INACTIVE && orig.state == INACTIVE;
    }

    /** The first of the ticks {@code first}, {@code first + step}, ... after {@code after}. */
    private static long firstTickAfter(long first, long step, long after) {
        if (first > after) {
            return first;
        }
        long steps = (after - first) / step + 1;
        return first + steps * step;
    }
}
