package dev.wirewatch.processor.detect;

import static dev.wirewatch.processor.Packets.ACK;
import static dev.wirewatch.processor.Packets.SYN;
import static dev.wirewatch.processor.Packets.tcp;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.network.NetworkTopology;
import java.util.List;

/**
 * A client and a server, each with its own sensor (hosts "client" and "server"), and a session between them:
 * what each packet looks like at each vantage, so a test says only which vantage saw it.
 */
final class TwoSidedSession {
    static final long T0 = 1_700_000_000_000_000L;
    static final long S = 1_000_000L;
    static final String CLIENT = "198.51.100.10";
    static final String SERVER = "203.0.113.20";
    static final int PORT = 5000;
    static final NetworkTopology TOPOLOGY = ProcessorDriver.topology("""
            hosts:
              client:
                interfaces:
                  eth0: {addresses: [198.51.100.10/24]}
              server:
                interfaces:
                  eth0: {addresses: [203.0.113.20/24]}
            """);
    static final List<String> BOTH = List.of("client", "server");

    private final ProcessorDriver driver;
    private final int clientPort;
    long clientSeq = 1001;
    long serverSeq = 5001;

    TwoSidedSession(ProcessorDriver driver, int clientPort) {
        this.driver = driver;
        this.clientPort = clientPort;
    }

    /** Handshake and one request and answer, seen at both vantages, from {@code at}. */
    TwoSidedSession established(long at) {
        fromClient(at, SYN, 0, BOTH);
        clientSeq = 1001;
        fromServer(at + 100, SYN | ACK, 0, BOTH);
        serverSeq = 5001;
        fromClient(at + 200, ACK, 0, BOTH);
        fromClient(at + 300, ACK, 12, BOTH);
        fromServer(at + 400, ACK, 4, BOTH);
        fromClient(at + 500, ACK, 0, BOTH);
        return this;
    }

    /** A client packet seen by the named vantages; advances the client's sequence by the payload. */
    void fromClient(long at, int flags, int payload, List<String> seenBy) {
        long seq = (flags & SYN) != 0 ? 1000 : clientSeq;
        for (String host : seenBy) {
            driver.send(tcp(host, at, CLIENT, clientPort, SERVER, PORT, flags, seq, (flags & ACK) != 0 ? serverSeq : 0,
                    payload));
        }
        clientSeq = seq + payload + ((flags & SYN) != 0 ? 1 : 0);
    }

    void fromServer(long at, int flags, int payload, List<String> seenBy) {
        long seq = (flags & SYN) != 0 ? 5000 : serverSeq;
        for (String host : seenBy) {
            driver.send(tcp(host, at, SERVER, PORT, CLIENT, clientPort, flags, seq, clientSeq, payload));
        }
        serverSeq = seq + payload + ((flags & SYN) != 0 ? 1 : 0);
    }

    /** A keep-alive probe from the client (seq = next - 1, no payload), seen by the named vantages. */
    void keepAliveFromClient(long at, List<String> seenBy) {
        for (String host : seenBy) {
            driver.send(tcp(host, at, CLIENT, clientPort, SERVER, PORT, ACK, clientSeq - 1, serverSeq, 0));
        }
    }

    String client() {
        return CLIENT + ":" + clientPort;
    }
}
