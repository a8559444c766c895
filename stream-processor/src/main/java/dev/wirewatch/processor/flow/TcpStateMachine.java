package dev.wirewatch.processor.flow;

import static dev.wirewatch.processor.flow.EndpointState.CLOSED;
import static dev.wirewatch.processor.flow.EndpointState.ESTABLISHED;
import static dev.wirewatch.processor.flow.EndpointState.INACTIVE;
import static dev.wirewatch.processor.flow.EndpointState.PARTIAL;
import static dev.wirewatch.processor.flow.EndpointState.RESET;
import static dev.wirewatch.processor.flow.EndpointState.SYN_ACK_SENT;
import static dev.wirewatch.processor.flow.EndpointState.SYN_SENT;

/**
 * Zeek's {@code TCP_Analyzer::UpdateStateMachine}: what a segment does to its sender's state (and sometimes its
 * peer's), one method per state the sender was in. Each returns true when the segment closed the sender (its first
 * FIN or RST), which the caller then reports to the removal timers.
 */
final class TcpStateMachine {
    private TcpStateMachine() {}

    /** Moves {@code endpoint}, which sent {@code segment} ({@code isOrig} as it arrived), on; true if it closed. */
    static boolean update(ConnectionView view, TcpEndpoint endpoint, TcpEndpoint peer, TcpSegment segment,
                          boolean isOrig, long ts) {
        return switch (endpoint.state) {
            case INACTIVE -> fromInactive(view, endpoint, peer, segment, isOrig, ts);
            case SYN_SENT, SYN_ACK_SENT -> fromSynSent(endpoint, segment);
            case ESTABLISHED, PARTIAL -> fromEstablished(endpoint, peer, segment);
            case CLOSED -> fromClosed(view, endpoint, peer, segment, ts);
            case RESET -> false; // nothing after a RST changes the state
        };
    }

    /**
     * A side's first packet: a SYN (or SYN-ACK) from the originator is an attempt; one from the responder
     * establishes both sides (flipping the roles if the SYN-ACK was seen first); anything else opens the side
     * partially, unless it acknowledges an established peer or is the ACK of the SYN ahead of the SYN-ACK.
     */
    private static boolean fromInactive(ConnectionView view, TcpEndpoint endpoint, TcpEndpoint peer,
                                        TcpSegment segment, boolean isOrig, long ts) {
        boolean closed = false;
        if (segment.syn()) {
            if (isOrig) {
                endpoint.setState(segment.ack() ? SYN_ACK_SENT : SYN_SENT);
                view.timers.attempted(ts);
            } else {
                if (!segment.ack() && peer.state == SYN_ACK_SENT && (segment.seq() & 0xffffffffL) == endpoint.startSeq) {
                    Orientation.flipRoles(view); // the SYN-ACK was seen before its SYN: the SYN's sender is the originator
                    peer.setState(ESTABLISHED);
                }
                if (peer.state == SYN_SENT) {
                    peer.setState(ESTABLISHED);
                }
                endpoint.setState(ESTABLISHED);
            }
        }
        closed |= closesOrResets(endpoint, segment);
        if (endpoint.state == INACTIVE) {
            if (!isOrig && segment.length() == 0 && view.orig.state == SYN_SENT) {
                // an ACK of the SYN before the SYN-ACK: not a partial connection
            } else if (segment.ack() && peer.state == ESTABLISHED) {
                endpoint.setState(ESTABLISHED); // the SYN was missed, the handshake was not
            } else {
                endpoint.setState(PARTIAL);
            }
        }
        return closed;
    }

    /** After a SYN or SYN-ACK with no answer yet: only a FIN or RST moves the side. */
    private static boolean fromSynSent(TcpEndpoint endpoint, TcpSegment segment) {
        return closesOrResets(endpoint, segment);
    }

    /**
     * Established or partial: a SYN from a partial side facing silence starts over as an attempt; a FIN closes
     * (and makes the peer's earlier FIN-then-RST a normal close), a RST resets.
     */
    private static boolean fromEstablished(TcpEndpoint endpoint, TcpEndpoint peer, TcpSegment segment) {
        boolean closed = false;
        if (segment.syn() && endpoint.state == PARTIAL && peer.state == INACTIVE && !segment.ack()) {
            endpoint.setState(SYN_SENT);
        }
        if (segment.fin() && !segment.rst()) {
            endpoint.setState(CLOSED);
            if (peer.state == RESET && peer.prevState == CLOSED) {
                peer.setState(CLOSED); // the peer's FIN then RST was a normal close
            }
            closed = true;
        }
        if (segment.rst()) {
            endpoint.setState(RESET);
            closed = true;
        }
        return closed;
    }

    /** After its FIN a side can only reset, while its peer has not closed too; that starts the reset timer. */
    private static boolean fromClosed(ConnectionView view, TcpEndpoint endpoint, TcpEndpoint peer,
                                      TcpSegment segment, long ts) {
        if (!segment.rst() || peer.state == CLOSED) {
            return false;
        }
        endpoint.setState(RESET);
        view.timers.resetAfterClose(ts);
        return !endpoint.didClose;
    }

    /** A FIN closes the side, a RST (after it, if both) resets it. */
    private static boolean closesOrResets(TcpEndpoint endpoint, TcpSegment segment) {
        if (segment.fin()) {
            endpoint.setState(CLOSED);
        }
        if (segment.rst()) {
            endpoint.setState(RESET);
        }
        return segment.fin() || segment.rst();
    }

    /** Zeek's ConnectionClosed: a side's first FIN or RST marks it closed and sets the removal timers. */
    static void closed(ConnectionView view, TcpEndpoint endpoint, TcpEndpoint peer) {
        if (!endpoint.didClose) {
            endpoint.didClose = true;
            view.timers.sideClosed(endpoint, peer, view.lastMicros);
        }
    }
}
