package dev.wirewatch.app.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;

/**
 * A real Kafka node (KRaft, broker and controller in one process role set) inside this JVM: a single node that is its
 * own quorum, or one node of a static {@link Quorum} started as a separate JVM per node. The single node is what analyze,
 * demo, standalone, broker and the integration tests run against when no external cluster is given. Settings a node
 * needs are in {@link BrokerProperties} (internal topics replicated as the quorum allows, so consumer groups and
 * transactions work); topics are never auto-created: {@code TopicSetup} creates them.
 *
 * <p>Caveat: Kafka's own fault handler halts the whole JVM (after logging at ERROR) on a fatal broker fault, such as
 * a log directory that becomes unwritable. Ordinary start-up failures (port in use, unreadable directory) are
 * reported as an {@link IllegalStateException} from {@link #start} instead.
 */
public final class EmbeddedBroker implements AutoCloseable {
    /** How long {@link #start} waits for the broker to serve clients. */
    public static final long READY_TIMEOUT_MS = 60_000;
    private static final long ADMIN_TIMEOUT_MS = 30_000;

    private final KafkaRaftServer server;
    private final Path directory;
    private final boolean temporary;
    private final String bootstrapServers;
    private final Quorum quorum;
    private final Map<String, Object> adminConfig;
    private final Thread cleanupOnExit;
    private boolean closed;

    private EmbeddedBroker(KafkaRaftServer server, Path directory, boolean temporary, String bootstrapServers,
            Quorum quorum, Map<String, Object> adminConfig, Thread cleanupOnExit) {
        this.server = server;
        this.adminConfig = adminConfig;
        this.directory = directory;
        this.temporary = temporary;
        this.bootstrapServers = bootstrapServers;
        this.quorum = quorum;
        this.cleanupOnExit = cleanupOnExit;
    }

    /**
     * Formats (first time only) and starts the broker, and returns once it answers clients. Throws
     * {@link IllegalStateException} with the reason if it cannot start or is not ready within
     * {@link #READY_TIMEOUT_MS}; whatever was started is stopped and a temporary directory deleted again.
     */
    public static EmbeddedBroker start(BrokerOptions options) {
        if (options.defaultPartitions() < 1) {
            throw new IllegalArgumentException("defaultPartitions must be at least 1: " + options.defaultPartitions());
        }
        if (options.port() < 0 || options.port() > 65535) {
            throw new IllegalArgumentException("port must be 0 (any free port) or 1-65535: " + options.port());
        }
        if (options.security() != null && options.quorum() != null) {
            throw new IllegalArgumentException("TLS and SCRAM logins are for a single node: a cluster of embedded"
                    + " brokers runs plain listeners, for labs");
        }
        boolean temporary = options.dataDir() == null;
        Path directory;
        try {
            directory = temporary ? Files.createTempDirectory("wirewatch-kafka-") : options.dataDir().toAbsolutePath();
            Files.createDirectories(directory.resolve("logs"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the broker's directory "
                    + (temporary ? "in " + System.getProperty("java.io.tmpdir") : options.dataDir()) + ": " + e, e);
        }
        // From here on, Ctrl-C (or a failed start) must not leave a temporary directory behind.
        Holder holder = new Holder(directory, temporary);
        Thread hook = new Thread(holder::stop, "wirewatch-broker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            InetAddress address = listenAddress(options.listenAddress());
            int port = options.port() == 0 ? freePort(address) : requireFree(address, options.port());
            Quorum quorum = options.quorum();
            Properties properties;
            Map<String, Object> adminConfig = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                    options.listenAddress() + ":" + port);
            if (quorum == null) {
                int controllerPort = freePort(InetAddress.getLoopbackAddress());
                while (controllerPort == port) { // the OS may hand out a just-released port again
                    controllerPort = freePort(InetAddress.getLoopbackAddress());
                }
                properties = BrokerProperties.single(directory, options.listenAddress(), port, controllerPort,
                        options.defaultPartitions());
                if (options.security() != null) {
                    int internalPort = freePort(InetAddress.getLoopbackAddress());
                    while (internalPort == port || internalPort == controllerPort) {
                        internalPort = freePort(InetAddress.getLoopbackAddress());
                    }
                    properties = BrokerProperties.secured(properties, options.listenAddress(), port, controllerPort,
                            internalPort, options.security());
                    adminConfig = certificateLogin("127.0.0.1:" + internalPort, options.security());
                }
            } else {
                requireFree(listenAddress(quorum.self().host()), quorum.self().port());
                properties = BrokerProperties.member(directory, options.listenAddress(), port,
                        options.defaultPartitions(), quorum);
            }
            format(directory, properties, quorum);
            KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(properties, false), Time.SYSTEM);
            holder.server(server);
            if (quorum == null) {
                server.startup();
            } else {
                QuorumCheck.startup(server, quorum);
            }
            EmbeddedBroker broker = new EmbeddedBroker(server, directory, temporary,
                    options.listenAddress() + ":" + port, quorum, adminConfig, hook);
            holder.broker(broker);
            broker.awaitReady();
            return broker;
        } catch (RuntimeException e) {
            stopWithin(holder, options.quorum() == null ? Long.MAX_VALUE : 15_000);
            removeHook(hook);
            if (e instanceof IllegalStateException || e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IllegalStateException("the embedded Kafka broker did not start: " + rootMessage(e), e);
        }
    }

    /**
     * Stops what a failed start left, waiting at most {@code millis}: a quorum member that never joined waits a
     * minute in Kafka's shutdown for a quorum that will not answer, and the reason should not wait with it.
     */
    private static void stopWithin(Holder holder, long millis) {
        Thread stopper = new Thread(holder::stop, "wirewatch-broker-stop");
        stopper.setDaemon(true);
        stopper.start();
        try {
            stopper.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** host:port for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * Client settings with which a client is the broker's super user: for a secured broker its certificate on the
     * loopback-only internal listener (to create users, ACLs and topics); else just the plain listener.
     */
    public Map<String, Object> adminClientConfig() {
        return adminConfig;
    }

    private static Map<String, Object> certificateLogin(String internal, BrokerSecurity security) {
        Map<String, Object> config = new HashMap<>(security.storeSettings(""));
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, internal);
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL");
        config.put("ssl.endpoint.identification.algorithm", "");
        return Map.copyOf(config);
    }

    /** The quorum this node belongs to; null for a single node. */
    public Quorum quorum() {
        return quorum;
    }

    /** Where the broker keeps its data (a temporary directory unless {@link BrokerOptions#dataDir()} was given). */
    public Path directory() {
        return directory;
    }

    /**
     * Stops the broker, waits until it has stopped, and deletes a temporary directory. Idempotent; also run by a
     * shutdown hook on JVM exit (Ctrl-C), but not when Kafka's fault handler halts the JVM.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop(server, directory, temporary);
        } finally {
            if (Thread.currentThread() != cleanupOnExit) {
                removeHook(cleanupOnExit);
            }
        }
    }

    private static void stop(KafkaRaftServer server, Path directory, boolean temporary) {
        try {
            if (server != null) {
                server.shutdown();
                server.awaitShutdown();
            }
        } finally {
            if (temporary) {
                try {
                    Utils.delete(directory.toFile());
                } catch (IOException e) {
                    System.err.println("wirewatch: could not delete the broker's temporary directory " + directory
                            + ": " + e.getMessage());
                }
            }
        }
    }

    /**
     * What the shutdown hook stops, filled in as start-up proceeds, so Ctrl-C during start-up cleans up too. Once the
     * broker object exists the hook goes through {@link EmbeddedBroker#close()}, so the shutdown never runs twice.
     */
    private static final class Holder {
        private final Path directory;
        private final boolean temporary;
        private KafkaRaftServer server;
        private EmbeddedBroker broker;
        private boolean stopped;

        Holder(Path directory, boolean temporary) {
            this.directory = directory;
            this.temporary = temporary;
        }

        synchronized void server(KafkaRaftServer server) {
            this.server = server;
        }

        synchronized void broker(EmbeddedBroker broker) {
            this.broker = broker;
        }

        synchronized void stop() {
            if (broker != null) {
                broker.close();
            } else if (!stopped) {
                stopped = true;
                EmbeddedBroker.stop(server, directory, temporary);
            }
        }
    }

    /** Formats the log directory for KRaft (once; an already formatted, kept directory is left as it is). */
    private static void format(Path directory, Properties properties, Quorum quorum) {
        Path config = directory.resolve("server.properties");
        Properties written = new Properties();
        // Formatting needs no secret, and a data directory is no place for one.
        properties.forEach((key, value) -> written.put(key, key.toString().contains("password") ? "[hidden]" : value));
        try (var out = Files.newBufferedWriter(config)) {
            written.store(out, "wirewatch embedded broker (written on every start; for reference only)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        // A kept directory must be "formatted" again with its own cluster id: Kafka 4.4 checks the id before
        // --ignore-formatted applies, so a fresh random id would fail on every restart.
        Optional<String> existing = existingClusterId(directory.resolve("logs").resolve("meta.properties"));
        if (quorum != null && existing.isPresent() && !existing.get().equals(quorum.clusterId())) {
            throw new IllegalStateException("the data directory " + directory + " belongs to cluster "
                    + existing.get() + ", but the quorum voters " + quorum.votersProperty() + " give cluster "
                    + quorum.clusterId() + ": start it with the voters (or --cluster-id) it was formatted with,"
                    + " or with an empty --data directory");
        }
        String clusterId = quorum != null ? quorum.clusterId()
                : existing.orElseGet(() -> Uuid.randomUuid().toString());
        int code = StorageTool.execute(new String[] {"format", "-t", clusterId, "-c",
                config.toString(), "--ignore-formatted"}, new PrintStream(output, true, StandardCharsets.UTF_8));
        if (code != 0) {
            throw new IllegalStateException("formatting the broker's log directory " + directory + " failed: "
                    + output.toString(StandardCharsets.UTF_8).trim());
        }
    }

    private static Optional<String> existingClusterId(Path metaProperties) {
        if (!Files.isRegularFile(metaProperties)) {
            return Optional.empty();
        }
        Properties meta = new Properties();
        try (var in = Files.newBufferedReader(metaProperties, StandardCharsets.UTF_8)) {
            meta.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + metaProperties + ": " + e.getMessage(), e);
        }
        return Optional.ofNullable(meta.getProperty("cluster.id")).filter(id -> !id.isBlank());
    }

    /** Until the broker answers describeCluster with itself in it (registered and unfenced), or the time is up. */
    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        Exception last = null;
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                try {
                    var nodes = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    if (quorum == null ? !nodes.isEmpty() : nodes.stream().anyMatch(n -> n.id() == quorum.nodeId())) {
                        admin.listTopics().names().get(5, TimeUnit.SECONDS);
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the embedded Kafka broker", e);
                }
                sleep(100);
            }
        }
        throw new IllegalStateException("the embedded Kafka broker on " + bootstrapServers
                + " did not become ready within " + READY_TIMEOUT_MS / 1000 + " s"
                + (quorum == null ? "" : " (node " + quorum.nodeId() + " of the quorum " + quorum.votersProperty()
                        + ": a majority of the voters must be running)")
                + (last == null ? "" : ": " + rootMessage(last)), last);
    }

    private Admin admin() {
        Map<String, Object> config = new HashMap<>(adminConfig);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT_MS);
        config.put(CommonClientConfigs.CLIENT_ID_CONFIG, "wirewatch-embedded-broker-admin");
        return Admin.create(config);
    }

    /** The port if nothing listens on {@code address} there; Kafka itself would log a page of stack traces instead. */
    private static int requireFree(InetAddress address, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // as Kafka's own acceptor does, so TIME_WAIT does not count as busy
            socket.bind(new InetSocketAddress(address, port));
            return port;
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " on " + address.getHostAddress()
                    + " is already in use (another broker?): " + e.getMessage(), e);
        }
    }

    static InetAddress listenAddress(String name) {
        try {
            return InetAddress.getByName(name);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot resolve the broker's listen address " + name + ": " + e, e);
        }
    }

    private static int freePort(InetAddress address) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(address, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port", e);
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down; the hook is running or has run
        }
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root + ")";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the embedded Kafka broker", e);
        }
    }
}
