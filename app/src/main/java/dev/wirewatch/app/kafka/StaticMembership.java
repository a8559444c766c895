package dev.wirewatch.app.kafka;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * Static group membership for the processor: an instance that comes back under the same id takes its partitions
 * back at once. Without it a processor killed with SIGKILL and started again waits for the group to drop its dead
 * member (the session timeout, 45 s) and rebalance before it processes anything.
 */
public final class StaticMembership {
    /** How long an instance that does not come back keeps its partitions from the others. */
    static final int SESSION_TIMEOUT_MS = 30_000;

    private StaticMembership() {}

    /**
     * Sets {@code group.instance.id} (Kafka Streams appends each thread's index) unless --kafka-config set one, and
     * the session timeout unless it set that. Several processors must differ in it: the default, host name and state
     * directory, does so for every instance that keeps its own state.
     */
    public static void configure(Map<String, Object> clientConfig, String instanceId, Path stateDir) {
        clientConfig.putIfAbsent(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
                instanceId != null ? instanceId : defaultId(stateDir));
        clientConfig.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
    }

    /** e.g. {@code web1-wirewatch-state-3fa2c01b}: only the characters Kafka allows in an instance id. */
    static String defaultId(Path stateDir) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = System.getenv().getOrDefault("HOSTNAME", "localhost");
        }
        Path absolute = stateDir.toAbsolutePath().normalize();
        String name = absolute.getFileName() == null ? "root" : absolute.getFileName().toString();
        String id = host + "-" + name + "-" + String.format("%08x", absolute.toString().hashCode());
        return id.replaceAll("[^a-zA-Z0-9._-]", "_");
    }
}
