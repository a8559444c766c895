package dev.wirewatch.app.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A Kafka cluster of real separate JVMs for tests: node I runs {@code wirewatch broker --node-id I ...} from the test
 * class path, with a small heap, its data under {@code directory/node-I} and its output in {@code node-I.log}.
 * {@link #kill} is SIGKILL (no clean shutdown); {@link #restart} starts the node again on its kept data.
 */
public final class BrokerClusterProcess implements AutoCloseable {
    /** How long a node may take to serve clients on this shared 2-core machine. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(150);

    private final Path directory;
    private final int[] clientPorts;
    private final String voters;
    private final Process[] nodes;

    private BrokerClusterProcess(Path directory, int[] clientPorts, String voters) {
        this.directory = directory;
        this.clientPorts = clientPorts;
        this.voters = voters;
        this.nodes = new Process[clientPorts.length];
    }

    /** Starts {@code count} nodes (ids 1..count) on free loopback ports and returns once every one serves. */
    public static BrokerClusterProcess start(int count, Path directory) {
        int[] ports = freePorts(2 * count);
        int[] clientPorts = java.util.Arrays.copyOf(ports, count);
        StringBuilder voters = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            voters.append(voters.isEmpty() ? "" : ",").append(i).append("@127.0.0.1:").append(ports[count + i - 1]);
        }
        BrokerClusterProcess cluster = new BrokerClusterProcess(directory, clientPorts, voters.toString());
        try {
            for (int i = 1; i <= count; i++) {
                cluster.launch(i);
            }
            for (int i = 1; i <= count; i++) {
                cluster.awaitServing(i, 1);
            }
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** The quorum voters every node was started with. */
    public String voters() {
        return voters;
    }

    public String bootstrapServers() {
        return java.util.Arrays.stream(clientPorts).mapToObj(port -> "127.0.0.1:" + port)
                .collect(Collectors.joining(","));
    }

    /** An admin client for the cluster; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
    }

    /** SIGKILL node {@code id} and wait until it is gone. */
    public void kill(int id) throws InterruptedException {
        Process node = nodes[id - 1];
        node.destroyForcibly();
        node.waitFor(30, TimeUnit.SECONDS);
    }

    /** Starts node {@code id} again on its data and returns once it serves clients. */
    public void restart(int id) {
        int served = servedCount(id);
        launch(id);
        awaitServing(id, served + 1);
    }

    /** What node {@code id} has written to stdout and stderr so far. */
    public String log(int id) {
        try {
            return Files.readString(logFile(id), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Runs {@code wirewatch broker ARGS} as its own JVM until it exits (at most {@code timeout}) and returns its
     * exit code and output; for starts that must fail.
     */
    public static Finished run(Path log, Duration timeout, String... args) throws IOException, InterruptedException {
        Process process = java(log, List.of(args));
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("wirewatch " + String.join(" ", args) + " did not exit within " + timeout
                    + ": " + Files.readString(log));
        }
        return new Finished(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    public record Finished(int exitCode, String output) {}

    @Override
    public void close() {
        for (Process node : nodes) {
            if (node != null) {
                node.destroy();
            }
        }
        for (Process node : nodes) {
            try {
                if (node != null && !node.waitFor(60, TimeUnit.SECONDS)) {
                    node.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                node.destroyForcibly();
            }
        }
    }

    private void launch(int id) {
        try {
            nodes[id - 1] = java(logFile(id), List.of("broker", "--node-id", String.valueOf(id), "--quorum-voters",
                    voters, "--port", String.valueOf(clientPorts[id - 1]), "--data",
                    directory.resolve("node-" + id).toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Process java(Path log, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "dev.wirewatch.app.Main"));
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    private Path logFile(int id) {
        return directory.resolve("node-" + id + ".log");
    }

    private int servedCount(int id) {
        return (int) log(id).lines().filter(line -> line.contains("serving on")).count();
    }

    private void awaitServing(int id, int times) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (servedCount(id) >= times) {
                return;
            }
            if (!nodes[id - 1].isAlive()) {
                throw new IllegalStateException("broker node " + id + " exited with " + nodes[id - 1].exitValue()
                        + ": " + tail(log(id)));
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("broker node " + id + " did not serve within " + START_TIMEOUT + ": "
                + tail(log(id)));
    }

    private static String tail(String log) {
        return log.length() > 2000 ? log.substring(log.length() - 2000) : log;
    }

    private static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket();
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            sockets.forEach(socket -> {
                try {
                    socket.close();
                } catch (IOException e) {
                    // closing a probe socket
                }
            });
        }
    }
}
