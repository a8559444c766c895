package dev.wirewatch.app.cli;

import dev.wirewatch.app.kafka.KafkaReach;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Option;

/** How a command reaches Kafka: an external cluster and its client properties, or (when absent) the embedded broker. */
public final class KafkaOptions {
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "An external Kafka cluster. Without it, a single-node broker runs inside this process on a temporary log directory that is deleted on exit.")
    String bootstrapServers;

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka client properties (TLS, SASL, ...) passed to every client as given. Values are never logged.")
    Path kafkaConfig;

    public boolean external() {
        return bootstrapServers != null;
    }

    /**
     * Client properties for the external cluster, once it answers: a one-shot command says "cannot connect to
     * HOST:PORT (why)" within seconds instead of timing out later on some topic.
     */
    public Map<String, Object> reachableClientConfig() {
        Map<String, Object> config = clientConfig(bootstrapServers);
        try {
            KafkaReach.problem(config, KafkaReach.PROBE_TIMEOUT).ifPresent(why -> {
                throw new UsageException("cannot connect to " + bootstrapServers + " (" + why + ")");
            });
        } catch (KafkaReach.Refused e) {
            throw new UsageException(e.getMessage());
        }
        return config;
    }

    /** For a service: blocks until the external cluster answers, saying so and giving /health the reason meanwhile. */
    public Map<String, Object> awaitClientConfig(String service, Consumer<Optional<String>> waiting) {
        Map<String, Object> config = clientConfig(bootstrapServers);
        try {
            KafkaReach.await(config, service, System.err, waiting);
        } catch (KafkaReach.Refused e) {
            throw new UsageException(e.getMessage());
        }
        return config;
    }

    /** Client properties for {@code bootstrapServers} (the external cluster's, or the embedded broker's). */
    public Map<String, Object> clientConfig(String bootstrap) {
        Map<String, Object> config = new HashMap<>();
        if (kafkaConfig != null) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(kafkaConfig)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new UsageException("--kafka-config " + kafkaConfig + ": cannot read: " + e.getMessage());
            }
            properties.forEach((key, value) -> config.put(key.toString(), value));
        }
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return config;
    }
}
