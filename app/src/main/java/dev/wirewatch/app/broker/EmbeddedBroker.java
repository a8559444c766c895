package dev.wirewatch.app.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;

/**
 * A real single-node Kafka (KRaft, broker and controller in one) inside this JVM: what analyze, demo and the
 * integration tests run against when no external cluster is given. Settings a single node needs are set here
 * (replication factor 1 for the internal topics, so transactions work); topics are never auto-created.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private static final long READY_TIMEOUT_MS = 60_000;

    private final KafkaRaftServer server;
    private final Path directory;
    private final boolean temporary;
    private final String bootstrapServers;
    private final Thread cleanupOnExit;
    private boolean closed;

    private EmbeddedBroker(KafkaRaftServer server, Path directory, boolean temporary, String bootstrapServers) {
        this.server = server;
        this.directory = directory;
        this.temporary = temporary;
        this.bootstrapServers = bootstrapServers;
        this.cleanupOnExit = new Thread(this::close, "wirewatch-broker-shutdown");
        Runtime.getRuntime().addShutdownHook(cleanupOnExit);
    }

    public static EmbeddedBroker start(BrokerOptions options) {
        boolean temporary = options.dataDir() == null;
        Path directory;
        try {
            directory = temporary ? Files.createTempDirectory("wirewatch-kafka-") : options.dataDir();
            Files.createDirectories(directory.resolve("logs"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the broker's log directory", e);
        }
        int port = options.port() == 0 ? freePort() : options.port();
        int controllerPort = freePort();
        Properties properties = properties(directory, port, controllerPort, options.defaultPartitions());
        format(directory, properties);
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(properties, false), Time.SYSTEM);
        server.startup();
        EmbeddedBroker broker = new EmbeddedBroker(server, directory, temporary, "127.0.0.1:" + port);
        broker.awaitReady();
        return broker;
    }

    private static Properties properties(Path directory, int port, int controllerPort, int partitions) {
        Properties properties = new Properties();
        properties.put("process.roles", "broker,controller");
        properties.put("node.id", "1");
        properties.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        properties.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        properties.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        properties.put("controller.listener.names", "CONTROLLER");
        properties.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        properties.put("inter.broker.listener.name", "PLAINTEXT");
        properties.put("log.dirs", directory.resolve("logs").toString());
        properties.put("num.partitions", String.valueOf(partitions));
        properties.put("auto.create.topics.enable", "false");
        // One node: every internal topic has one replica, or groups and transactions never start.
        properties.put("offsets.topic.replication.factor", "1");
        properties.put("offsets.topic.num.partitions", "5");
        properties.put("transaction.state.log.replication.factor", "1");
        properties.put("transaction.state.log.min.isr", "1");
        properties.put("transaction.state.log.num.partitions", "5");
        properties.put("share.coordinator.state.topic.replication.factor", "1");
        properties.put("share.coordinator.state.topic.min.isr", "1");
        properties.put("group.initial.rebalance.delay.ms", "0");
        // The default 128 MiB dedupe buffer is too much for a CLI's heap.
        properties.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
        return properties;
    }

    /** Formats the log directory for KRaft (once; a kept directory is left as it is). */
    private static void format(Path directory, Properties properties) {
        Path config = directory.resolve("server.properties");
        try (var out = Files.newBufferedWriter(config)) {
            properties.store(out, "wirewatch embedded broker");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int code = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c",
                config.toString(), "--ignore-formatted"}, new PrintStream(output, true, StandardCharsets.UTF_8));
        if (code != 0) {
            throw new IllegalStateException("formatting the broker's log directory failed: "
                    + output.toString(StandardCharsets.UTF_8).trim());
        }
    }

    private void awaitReady() {
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
        try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            while (true) {
                try {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    admin.listTopics().names().get(5, TimeUnit.SECONDS);
                    return;
                } catch (Exception e) {
                    if (System.currentTimeMillis() > deadline) {
                        close();
                        throw new IllegalStateException("the embedded Kafka broker did not become ready within "
                                + READY_TIMEOUT_MS / 1000 + " s: " + e.getMessage(), e);
                    }
                    sleep();
                }
            }
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            if (temporary) {
                try {
                    Utils.delete(directory.toFile());
                } catch (IOException e) {
                    // a leftover temp dir is not worth failing shutdown for
                }
            }
            if (Thread.currentThread() != cleanupOnExit) {
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
                } catch (IllegalStateException e) {
                    // already shutting down
                }
            }
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port", e);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the broker", e);
        }
    }
}
