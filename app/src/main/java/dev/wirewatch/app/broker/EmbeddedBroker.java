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
 * A real single-node Kafka (KRaft, broker and controller in one process role set) inside this JVM: what analyze,
 * demo, standalone, broker and the integration tests run against when no external cluster is given. Settings a
 * single node needs are set here (replication factor 1 for the internal topics, so consumer groups and
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
    private final Thread cleanupOnExit;
    private boolean closed;

    private EmbeddedBroker(KafkaRaftServer server, Path directory, boolean temporary, String bootstrapServers,
            Thread cleanupOnExit) {
        this.server = server;
        this.directory = directory;
        this.temporary = temporary;
        this.bootstrapServers = bootstrapServers;
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
            int controllerPort = freePort(InetAddress.getLoopbackAddress());
            while (controllerPort == port) { // the OS may hand out a just-released port again
                controllerPort = freePort(InetAddress.getLoopbackAddress());
            }
            Properties properties = properties(directory, options.listenAddress(), port, controllerPort,
                    options.defaultPartitions());
            format(directory, properties);
            KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(properties, false), Time.SYSTEM);
            holder.server(server);
            server.startup();
            EmbeddedBroker broker = new EmbeddedBroker(server, directory, temporary,
                    options.listenAddress() + ":" + port, hook);
            holder.broker(broker);
            broker.awaitReady();
            return broker;
        } catch (RuntimeException e) {
            holder.stop();
            removeHook(hook);
            if (e instanceof IllegalStateException || e instanceof IllegalArgumentException) {
                throw e;
            }
            throw new IllegalStateException("the embedded Kafka broker did not start: " + rootMessage(e), e);
        }
    }

    /** host:port for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
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

    private static Properties properties(Path directory, String address, int port, int controllerPort, int partitions) {
        Properties properties = new Properties();
        properties.put("process.roles", "broker,controller");
        properties.put("node.id", "1");
        // Static voter: the quorum comes from this setting on every start, so a kept data directory still works
        // when the controller port (picked afresh each run) changes. A dynamic quorum (controller.quorum.bootstrap
        // .servers + format --standalone) would write the controller's endpoint into the metadata log instead.
        properties.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        properties.put("listeners", "PLAINTEXT://" + address + ":" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        properties.put("advertised.listeners", "PLAINTEXT://" + address + ":" + port);
        properties.put("controller.listener.names", "CONTROLLER");
        properties.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        properties.put("inter.broker.listener.name", "PLAINTEXT");
        properties.put("log.dirs", directory.resolve("logs").toString());
        properties.put("num.partitions", String.valueOf(partitions));
        properties.put("auto.create.topics.enable", "false");
        // One node: every internal topic has one replica, or groups, transactions and share groups never start.
        properties.put("offsets.topic.replication.factor", "1");
        properties.put("transaction.state.log.replication.factor", "1");
        properties.put("transaction.state.log.min.isr", "1");
        properties.put("share.coordinator.state.topic.replication.factor", "1");
        properties.put("share.coordinator.state.topic.min.isr", "1");
        // 5 instead of 50 partitions: the first consumer group / first transaction creates these topics, and 50
        // partitions make that first use take seconds longer for no benefit on one node.
        properties.put("offsets.topic.num.partitions", "5");
        properties.put("transaction.state.log.num.partitions", "5");
        // Nobody else will join: do not hold the first rebalance back 3 s.
        properties.put("group.initial.rebalance.delay.ms", "0");
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

    /** Formats the log directory for KRaft (once; an already formatted, kept directory is left as it is). */
    private static void format(Path directory, Properties properties) {
        Path config = directory.resolve("server.properties");
        try (var out = Files.newBufferedWriter(config)) {
            properties.store(out, "wirewatch embedded broker (written on every start; for reference only)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        // A kept directory must be "formatted" again with its own cluster id: Kafka 4.4 checks the id before
        // --ignore-formatted applies, so a fresh random id would fail on every restart.
        String clusterId = existingClusterId(directory.resolve("logs").resolve("meta.properties"))
                .orElseGet(() -> Uuid.randomUuid().toString());
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
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
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
                + (last == null ? "" : ": " + rootMessage(last)), last);
    }

    private Admin admin() {
        return Admin.create(Map.of(
                CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT_MS,
                CommonClientConfigs.CLIENT_ID_CONFIG, "wirewatch-embedded-broker-admin"));
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

    private static InetAddress listenAddress(String name) {
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

    private static String rootMessage(Throwable e) {
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
