package dev.wirewatch.processor.flow;

import static dev.wirewatch.processor.flow.EndpointState.CLOSED;
import static dev.wirewatch.processor.flow.EndpointState.ESTABLISHED;
import static dev.wirewatch.processor.flow.EndpointState.INACTIVE;
import static dev.wirewatch.processor.flow.EndpointState.RESET;
import static dev.wirewatch.processor.flow.EndpointState.SYN_ACK_SENT;
import static dev.wirewatch.processor.flow.EndpointState.SYN_SENT;

import dev.wirewatch.schemas.FlowKey;

/**
 * Zeek's conn_state ({@code conn_state} in {@code scripts/base/protocols/conn/main.zeek}) as a function of what a
 * connection's two sides did. TCP: {@code S0} SYN seen, no reply; {@code S1} established, not closed; {@code SF}
 * normal close by both sides; {@code REJ} SYN answered by RST; {@code S2} / {@code S3} established, close attempt by
 * the originator / responder only; {@code RSTO} / {@code RSTR} established, then reset by the originator /
 * responder; {@code RSTOS0} originator sent SYN then RST, no SYN-ACK; {@code RSTRH} responder sent SYN-ACK (or
 * anything) then RST, originator never seen; {@code SH} / {@code SHR} originator / responder sent SYN or SYN-ACK
 * then FIN, no reply; {@code OTH} anything else (midstream). UDP: {@code SF} both sides sent, {@code S0} originator
 * only, {@code SHR} responder only; ICMP: always {@code OTH}.
 */
final class ConnState {
    private ConnState() {}

    /** UDP: who sent anything; ICMP and the rest: always OTH. */
    static String ofDatagrams(int protocol, long origPackets, long respPackets) {
        if (protocol != FlowKey.UDP) {
            return "OTH";
        }
        boolean os = origPackets > 0;
        boolean rs = respPackets > 0;
        return os ? (rs ? "SF" : "S0") : (rs ? "SHR" : "OTH");
    }

    /** TCP: from the two endpoints' states, their sizes (for REJ) and the history (for RSTOS0). */
    static String ofTcp(TcpEndpoint orig, TcpEndpoint resp, ConnectionHistory history) {
        EndpointState os = orig.state;
        EndpointState rs = resp.state;
        boolean oInactive = os.inactive();
        boolean rInactive = rs.inactive();
        if (rs == RESET) {
            if (os == SYN_SENT || os == SYN_ACK_SENT || (os == RESET && orig.size(resp) == 0 && resp.size(orig) == 0)) {
                return "REJ";
            }
            return oInactive ? "RSTRH" : "RSTR";
        }
        if (os == RESET) {
            if (rInactive) {
                return history.synThenReset() ? "RSTOS0" : "OTH";
            }
            return "RSTO";
        }
        if (rs == CLOSED && os == CLOSED) {
            return "SF";
        }
        if (os == CLOSED) {
            return rInactive ? "SH" : "S2";
        }
        if (rs == CLOSED) {
            return oInactive ? "SHR" : "S3";
        }
        if (os == SYN_SENT && rs == INACTIVE) {
            return "S0";
        }
        if (os == ESTABLISHED && rs == ESTABLISHED) {
            return "S1";
        }
        return "OTH";
    }
}
