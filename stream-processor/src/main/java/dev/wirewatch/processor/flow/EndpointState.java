package dev.wirewatch.processor.flow;

/**
 * One side's state in Zeek's TCP analyzer ({@code TCP_Endpoint::EndpointState}). The order is stored: a state is
 * kept as its ordinal in three bits.
 */
enum EndpointState {
    /** Nothing sent yet. */
    INACTIVE,
    /** Sent a SYN without ACK, no answer yet. */
    SYN_SENT,
    /** Sent a SYN-ACK as its first packet (the SYN was missed, or the roles were guessed wrong). */
    SYN_ACK_SENT,
    /** Sent something other than a SYN first: a connection seen from its middle. */
    PARTIAL,
    /** Took part in a handshake, or was acknowledged by an established peer. */
    ESTABLISHED,
    /** Sent a FIN. */
    CLOSED,
    /** Sent a RST. */
    RESET;

    private static final EndpointState[] BY_ORDINAL = values();

    /** The state stored as {@code ordinal}; garbage is refused. */
    static EndpointState of(int ordinal) {
        if (ordinal < 0 || ordinal >= BY_ORDINAL.length) {
            throw new IllegalStateException("TCP endpoint state " + ordinal + " is not one");
        }
        return BY_ORDINAL[ordinal];
    }

    /** Zeek's "inactive" for conn_state: never sent a SYN or SYN-ACK (partial counts as inactive). */
    boolean inactive() {
        return this == INACTIVE || this == PARTIAL;
    }
}
