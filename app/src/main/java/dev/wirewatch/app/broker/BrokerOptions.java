package dev.wirewatch.app.broker;

import java.nio.file.Path;

/**
 * @param dataDir           log directory kept across runs; null for a temporary one deleted on close
 * @param port              client port; 0 picks a free one
 * @param defaultPartitions partitions of topics created without a count
 * @param listenAddress     address the broker listens on and advertises (127.0.0.1 unless clients live elsewhere,
 *                          e.g. in a network namespace)
 * @param quorum            the KRaft quorum this node joins; null for a single node that is its own quorum
 * @param security          TLS and SCRAM logins with ACLs (a single node only); null for a plain listener, for labs
 */
public record BrokerOptions(Path dataDir, int port, int defaultPartitions, String listenAddress, Quorum quorum,
        BrokerSecurity security) {
    public BrokerOptions(Path dataDir, int port, int defaultPartitions, String listenAddress, Quorum quorum) {
        this(dataDir, port, defaultPartitions, listenAddress, quorum, null);
    }

    public BrokerOptions(Path dataDir, int port, int defaultPartitions, String listenAddress) {
        this(dataDir, port, defaultPartitions, listenAddress, null, null);
    }

    public BrokerOptions secured(BrokerSecurity with) {
        return new BrokerOptions(dataDir, port, defaultPartitions, listenAddress, quorum, with);
    }

    public static BrokerOptions local(Path dataDir, int port, int defaultPartitions) {
        return new BrokerOptions(dataDir, port, defaultPartitions, "127.0.0.1");
    }
}
