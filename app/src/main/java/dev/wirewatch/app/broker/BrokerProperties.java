package dev.wirewatch.app.broker;

import java.nio.file.Path;
import java.util.Properties;

/** The settings of the embedded broker: one node that is its own quorum, or one node of a {@link Quorum}. */
final class BrokerProperties {
    private BrokerProperties() {}

    /** A single node: broker and controller with a loopback controller port picked for this run. */
    static Properties single(Path directory, String address, int port, int controllerPort, int partitions) {
        Properties properties = common(directory, address, port, partitions);
        properties.put("node.id", "1");
        // Static voter: the quorum comes from this setting on every start, so a kept data directory still works
        // when the controller port (picked afresh each run) changes. A dynamic quorum (controller.quorum.bootstrap
        // .servers + format --standalone) would write the controller's endpoint into the metadata log instead.
        properties.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        properties.put("listeners", "PLAINTEXT://" + address + ":" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        // One node: every internal topic has one replica, or groups, transactions and share groups never start.
        replication(properties, 1, 1);
        // Nobody else will join: do not hold the first rebalance back 3 s.
        properties.put("group.initial.rebalance.delay.ms", "0");
        return properties;
    }

    /**
     * A single node whose clients log in (SCRAM over TLS, ACLs decide the rest), while its controller and inter-broker
     * links and its own admin client use its certificate (mutual TLS) on loopback listeners: no listener lets anyone
     * in unauthenticated. Hostnames are not checked on those loopback links (the CA and client certificates are).
     */
    static Properties secured(Properties single, String address, int port, int controllerPort, int internalPort,
            BrokerSecurity security) {
        Properties properties = new Properties();
        properties.putAll(single);
        properties.put("listeners", "SASL_SSL://" + address + ":" + port + ",INTERNAL://127.0.0.1:" + internalPort
                + ",CONTROLLER://127.0.0.1:" + controllerPort);
        properties.put("advertised.listeners", "SASL_SSL://" + address + ":" + port + ",INTERNAL://127.0.0.1:"
                + internalPort);
        properties.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL");
        properties.put("inter.broker.listener.name", "INTERNAL");
        properties.put("sasl.enabled.mechanisms", BrokerSecurity.MECHANISM);
        properties.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        properties.putAll(security.storeSettings(""));
        properties.put("ssl.endpoint.identification.algorithm", "");
        properties.put("listener.name.internal.ssl.client.auth", "required");
        properties.put("listener.name.controller.ssl.client.auth", "required");
        properties.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        properties.put("super.users", security.brokerPrincipal());
        return properties;
    }

    /**
     * One node of a static quorum: its controller listens on its own voter entry's host and port, and the internal
     * topics and new topics get the quorum's replication (3 with min.insync.replicas 2 from three voters on).
     */
    static Properties member(Path directory, String address, int port, int partitions, Quorum quorum) {
        Properties properties = common(directory, address, port, partitions);
        Quorum.Voter self = quorum.self();
        properties.put("node.id", String.valueOf(quorum.nodeId()));
        properties.put("controller.quorum.voters", quorum.votersProperty());
        properties.put("listeners", "PLAINTEXT://" + address + ":" + port
                + ",CONTROLLER://" + self.host() + ":" + self.port());
        replication(properties, quorum.replicationFactor(), quorum.minInsyncReplicas());
        properties.put("default.replication.factor", String.valueOf(quorum.replicationFactor()));
        properties.put("min.insync.replicas", String.valueOf(quorum.minInsyncReplicas()));
        // A broker that was down catches up and is back in the ISR within seconds here; Kafka's 30 s default
        // would hold writes at min.insync.replicas longer than a restart takes.
        properties.put("replica.lag.time.max.ms", "10000");
        return properties;
    }

    private static void replication(Properties properties, int factor, int minIsr) {
        properties.put("offsets.topic.replication.factor", String.valueOf(factor));
        properties.put("transaction.state.log.replication.factor", String.valueOf(factor));
        properties.put("transaction.state.log.min.isr", String.valueOf(minIsr));
        properties.put("share.coordinator.state.topic.replication.factor", String.valueOf(factor));
        properties.put("share.coordinator.state.topic.min.isr", String.valueOf(minIsr));
    }

    private static Properties common(Path directory, String address, int port, int partitions) {
        Properties properties = new Properties();
        properties.put("process.roles", "broker,controller");
        properties.put("advertised.listeners", "PLAINTEXT://" + address + ":" + port);
        properties.put("controller.listener.names", "CONTROLLER");
        properties.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        properties.put("inter.broker.listener.name", "PLAINTEXT");
        properties.put("log.dirs", directory.resolve("logs").toString());
        properties.put("num.partitions", String.valueOf(partitions));
        properties.put("auto.create.topics.enable", "false");
        // 5 instead of 50 partitions: the first consumer group / first transaction creates these topics, and 50
        // partitions make that first use take seconds longer for no benefit here.
        properties.put("offsets.topic.num.partitions", "5");
        properties.put("transaction.state.log.num.partitions", "5");
        // The default 128 MiB dedupe buffer is allocated for the compacted topics' cleaner: too much for a CLI heap.
        properties.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        // Records carry capture time, which is years old for a historic pcap. Kafka rolls a segment when its first
        // record's timestamp is older than log.roll.ms and deletes segments older than log.retention.ms, both by
        // record timestamp: an old capture was rolled and deleted batch by batch while the processor read it, and
        // the processor's consumer skipped to the new end. Age by size only.
        properties.put("log.roll.ms", String.valueOf(Long.MAX_VALUE));
        properties.put("log.retention.ms", "-1");
        properties.put("log.retention.bytes", String.valueOf(1L << 30));
        return properties;
    }
}
