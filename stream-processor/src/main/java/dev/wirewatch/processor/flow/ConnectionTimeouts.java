package dev.wirewatch.processor.flow;

import dev.wirewatch.processor.config.ProcessorConfig;
import java.util.stream.LongStream;

/**
 * When a connection is over, in microseconds: Zeek's timers (names and defaults from its init-bare.zeek), so that
 * connections split where Zeek splits them and conn.log baselines compare one to one.
 *
 * @param attemptDelay      an unanswered SYN (or SYN-ACK) stays one connection this long (tcp_attempt_delay)
 * @param synTimeout        first check of an idle connection (tcp_SYN_timeout); then every sessionTimer
 * @param closeDelay        after both sides closed or one reset (tcp_close_delay)
 * @param resetDelay        after a side that had sent a FIN sends a RST while its peer is open (tcp_reset_delay;
 *                          Zeek arms this timer only when a script handles connection_reset)
 * @param partialCloseDelay after a close by a side never seen before (tcp_partial_close_delay)
 * @param sessionTimer      how often a half-closed connection is checked (tcp_session_timer)
 * @param connectionLinger  inactivity after which a half-closed connection is over (tcp_connection_linger)
 * @param tcpInactivity     tcp_inactivity_timeout
 * @param udpInactivity     udp_inactivity_timeout
 * @param icmpInactivity    icmp_inactivity_timeout (also used for other IP protocols: unknown_ip_inactivity_timeout)
 * @param dnsInactivity     dns_session_timeout: Zeek's DNS analyzer ends UDP port 53 conversations sooner
 */
public record ConnectionTimeouts(long attemptDelay, long synTimeout, long closeDelay, long resetDelay, long partialCloseDelay,
                                 long sessionTimer, long connectionLinger, long tcpInactivity, long udpInactivity,
                                 long icmpInactivity, long dnsInactivity) {
    private static final long SECOND = 1_000_000L;

    /** Zeek's defaults. */
    public static final ConnectionTimeouts ZEEK_DEFAULTS = new ConnectionTimeouts(5 * SECOND, 5 * SECOND, 5 * SECOND,
            5 * SECOND, 3 * SECOND, 6 * SECOND, 5 * SECOND, 300 * SECOND, 60 * SECOND, 60 * SECOND, 10 * SECOND);

    /**
     * For the live monitor: a client's SYN retransmissions stay one flow for {@code syn-attempt-window} (Linux retries
     * for about two minutes), so a detector sees every attempt together; an established connection is known for
     * {@code tcp-idle-timeout}; everything else as Zeek. The flow stage and the detectors that wait for its closed
     * flows read the same timers from here.
     */
    public static ConnectionTimeouts from(ProcessorConfig config) {
        return ZEEK_DEFAULTS.withAttemptDelay(config.synAttemptWindowMicros())
                .withSynTimeout(config.synAttemptWindowMicros()).withTcpInactivity(config.tcpIdleTimeoutMicros());
    }

    /** The longest of the timers: how long the flow stage may keep anything of a flow after its last packet. */
    public long longestMicros() {
        return LongStream.of(attemptDelay, synTimeout, closeDelay, resetDelay, partialCloseDelay,
                sessionTimer, connectionLinger, tcpInactivity, udpInactivity, icmpInactivity, dnsInactivity).max()
                .getAsLong();
    }

    public ConnectionTimeouts withAttemptDelay(long micros) {
        return new ConnectionTimeouts(micros, synTimeout, closeDelay, resetDelay, partialCloseDelay, sessionTimer,
                connectionLinger, tcpInactivity, udpInactivity, icmpInactivity, dnsInactivity);
    }

    public ConnectionTimeouts withSynTimeout(long micros) {
        return new ConnectionTimeouts(attemptDelay, micros, closeDelay, resetDelay, partialCloseDelay, sessionTimer,
                connectionLinger, tcpInactivity, udpInactivity, icmpInactivity, dnsInactivity);
    }

    public ConnectionTimeouts withTcpInactivity(long micros) {
        return new ConnectionTimeouts(attemptDelay, synTimeout, closeDelay, resetDelay, partialCloseDelay, sessionTimer,
                connectionLinger, micros, udpInactivity, icmpInactivity, dnsInactivity);
    }
}
