package dev.wirewatch.app.cli;

import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.BrokerSecurity;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.app.broker.Quorum;
import dev.wirewatch.app.kafka.Principals;
import dev.wirewatch.app.kafka.TopicSetup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"Runs a real KRaft Kafka broker in the foreground with wirewatch's topics, for trying the services out by hand. Ctrl-C stops it.",
                "Alone it is a single node. With --node-id and --quorum-voters it is one node (broker and controller) of a cluster: start one per node, e.g. three on one host:",
                "  wirewatch broker --node-id 1 --port 9092 --data d1 --quorum-voters 1@127.0.0.1:9192,2@127.0.0.1:9193,3@127.0.0.1:9194",
                "  (and --node-id 2 --port 9093 --data d2, --node-id 3 --port 9094 --data d3 with the same voters)",
                "Every node formats its data directory with the same cluster id, derived from the voters list (order does not matter) unless --cluster-id is given: so every node must get the same voters. From three voters on, topics get replication factor 3 and min.insync.replicas 2 (two voters: 2 and 1)."})
public final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "DIR", description = "Log directory, kept across restarts (default: a temporary one, deleted on exit).")
    Path data;

    @Option(names = "--port", defaultValue = "9092", description = "Client port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--listen", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "Address to listen on and advertise to clients, e.g. this host's LAN address so sensors on other hosts reach it (default: ${DEFAULT-VALUE}). Without --tls-keystore: no TLS or authentication, for labs only.")
    String listen;

    @Option(names = "--tls-keystore", paramLabel = "FILE",
            description = "PKCS12 key store with this broker's key and certificate chain. Clients must then log in with SCRAM-SHA-512 over TLS (security.protocol=SASL_SSL) and ACLs apply; the broker's own links use its certificate on loopback. A single node only. Needs --tls-truststore and --tls-password-file.")
    Path keyStore;

    @Option(names = "--tls-truststore", paramLabel = "FILE", description = "PKCS12 trust store with the CA that signed the broker's certificate.")
    Path trustStore;

    @Option(names = "--tls-password-file", paramLabel = "FILE", description = "A file whose first line is the password of both stores.")
    Path passwordFile;

    @Option(names = "--users", paramLabel = "DIR",
            description = "With --tls-keystore: a directory of COMPONENT.password files (sensor, processor, sink, console). Each becomes the login wirewatch-COMPONENT with only the ACLs that component needs; a login given again gets the new password.")
    Path users;

    @Option(names = "--partitions", description = "Partitions of the topics it creates (default: 3 on a single node; in a cluster 2 per broker, at least 6).")
    Integer partitions;

    @Option(names = "--node-id", paramLabel = "ID", description = "This node's id in the quorum: one of the ids in --quorum-voters.")
    Integer nodeId;

    @Option(names = "--quorum-voters", paramLabel = "ID@HOST:PORT,...",
            description = "Every node of the cluster with its controller endpoint; the same list on every node.")
    String voters;

    @Option(names = "--controller-port", paramLabel = "PORT",
            description = "This node's controller port (default: the port of its entry in --quorum-voters, which it must equal).")
    int controllerPort;

    @Option(names = "--cluster-id", paramLabel = "ID",
            description = "Cluster id to format with (22 characters, as kafka-storage random-uuid prints; default: derived from --quorum-voters).")
    String clusterId;

    @Override
    public Integer call() throws InterruptedException {
        Quorum quorum = quorum();
        BrokerSecurity security = security();
        if (security != null && quorum != null) {
            throw new UsageException("--tls-keystore is for a single node: a cluster of these brokers is for labs");
        }
        Map<String, String> logins = logins();
        try (EmbeddedBroker broker = EmbeddedBroker.start(new BrokerOptions(data, port,
                partitions == null ? TopicSetup.DEFAULT_PARTITIONS : partitions, listen, quorum, security))) {
            try (Admin admin = Admin.create(broker.adminClientConfig())) {
                if (quorum != null) {
                    // Replicas go to registered brokers only: wait for the whole cluster so topics get all replicas.
                    TopicSetup.awaitBrokers(admin, quorum.voters().size(), EmbeddedBroker.READY_TIMEOUT_MS);
                }
                TopicSetup.ensure(admin, partitions == null ? TopicSetup.FOR_CLUSTER : partitions, Map.of());
                if (!logins.isEmpty()) {
                    Principals.provision(admin, logins, "wirewatch-processor", "wirewatch-sink");
                    System.out.println("wirewatch broker: logins " + logins.keySet().stream().map(Principals::userName)
                            .toList() + " with their ACLs");
                }
            }
            System.out.println("wirewatch broker: serving " + (security == null ? "" : "SASL_SSL ") + "on "
                    + broker.bootstrapServers()
                    + (quorum == null ? "" : " as node " + quorum.nodeId() + " of cluster " + quorum.clusterId())
                    + " (Ctrl-C to stop)");
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
        return 0;
    }

    private BrokerSecurity security() {
        if (keyStore == null && trustStore == null && passwordFile == null) {
            if (users != null) {
                throw new UsageException("--users needs --tls-keystore: logins travel only over TLS");
            }
            return null;
        }
        if (keyStore == null || trustStore == null || passwordFile == null) {
            throw new UsageException("--tls-keystore, --tls-truststore and --tls-password-file go together");
        }
        try {
            BrokerSecurity security = new BrokerSecurity(keyStore, trustStore, firstLine(passwordFile));
            security.brokerPrincipal(); // opens the key store: a wrong password or file says so now
            return security;
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** COMPONENT.password files of --users: the component's login and its password. */
    private Map<String, String> logins() {
        Map<String, String> logins = new TreeMap<>();
        if (users == null) {
            return logins;
        }
        for (String component : Principals.COMPONENTS) {
            Path file = users.resolve(component + ".password");
            if (Files.exists(file)) {
                logins.put(component, firstLine(file));
            }
        }
        if (logins.isEmpty()) {
            throw new UsageException("--users " + users + ": no sensor.password, processor.password, sink.password or console.password");
        }
        return logins;
    }

    /** The first line of a secret file, stripped (a password file: one line, no key=value). */
    static String firstLine(Path file) {
        try {
            String line = Files.readAllLines(file).stream().findFirst().orElse("").strip();
            if (line.isEmpty()) {
                throw new UsageException(file + " is empty: its first line must be the password");
            }
            return line;
        } catch (IOException e) {
            throw new UsageException("cannot read " + file + ": " + e.getMessage());
        }
    }

    private Quorum quorum() {
        if (nodeId == null && voters == null) {
            if (controllerPort != 0 || clusterId != null) {
                throw new UsageException("--controller-port and --cluster-id need --node-id and --quorum-voters");
            }
            return null;
        }
        if (nodeId == null || voters == null) {
            throw new UsageException("--node-id and --quorum-voters go together");
        }
        try {
            return Quorum.of(nodeId, controllerPort, voters, clusterId);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
