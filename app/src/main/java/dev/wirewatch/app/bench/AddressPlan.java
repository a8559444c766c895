package dev.wirewatch.app.bench;

import java.util.Random;

/**
 * Who talks in the mix: {@value #CLIENTS} clients per address family (10.1.0.0/16 and 2001:db8:1::/64), servers
 * in 198.51.100.0/24 and 2001:db8:2::/64 each running one service, and a DNS resolver per family. Every client
 * hands out its ephemeral ports in turn from a random start (even ports, as Linux's connect() prefers), shared by
 * TCP and UDP, so no 5-tuple repeats until a client has used some 14,000 ports.
 */
final class AddressPlan {
    static final int CLIENTS = 8_000;
    static final int SERVERS = 40;
    private static final int[] SERVICES = {443, 443, 443, 80, 5432, 6379, 8080, 443};
    private static final int FIRST_EPHEMERAL = 32_768;
    private static final int LAST_EPHEMERAL = 60_999;

    /** A client's address and the ephemeral port it took for this flow. */
    record Client(byte[] address, int port) {}

    private final Random random;
    private final int[] nextPort = new int[2 * CLIENTS];

    AddressPlan(Random random) {
        this.random = random;
    }

    Client client(boolean v6) {
        int index = random.nextInt(CLIENTS);
        int slot = (v6 ? CLIENTS : 0) + index;
        if (nextPort[slot] == 0) {
            nextPort[slot] = FIRST_EPHEMERAL + 2 * random.nextInt((LAST_EPHEMERAL - FIRST_EPHEMERAL) / 2);
        }
        int host = index + 1;
        return new Client(v6 ? v6(1, host) : new byte[] {10, 1, (byte) (host >> 8), (byte) host}, takePort(slot));
    }

    private int takePort(int slot) {
        int port = nextPort[slot];
        nextPort[slot] = port + 2 > LAST_EPHEMERAL ? FIRST_EPHEMERAL : port + 2;
        return port;
    }

    /** The same client with its next ephemeral port, for another connection. */
    Client again(Client client) {
        byte[] address = client.address();
        int n = address.length;
        int index = (((address[n - 2] & 0xff) << 8) | (address[n - 1] & 0xff)) - 1;
        return new Client(address, takePort((n == 16 ? CLIENTS : 0) + index));
    }

    int randomServer() {
        return random.nextInt(SERVERS);
    }

    byte[] server(boolean v6, int server) {
        return v6 ? v6(2, 0x10 + server) : new byte[] {(byte) 198, 51, 100, (byte) (10 + server)};
    }

    int service(int server) {
        return SERVICES[server % SERVICES.length];
    }

    byte[] resolver(boolean v6) {
        return v6 ? v6(2, 0x53) : new byte[] {(byte) 198, 51, 100, 53};
    }

    /** 2001:db8:{@code subnet}::{@code host} (host below 2^32). */
    private static byte[] v6(int subnet, int host) {
        return new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, (byte) subnet, 0, 0, 0, 0, 0, 0,
                (byte) (host >> 24), (byte) (host >> 16), (byte) (host >> 8), (byte) host};
    }
}
