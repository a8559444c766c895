package dev.wirewatch.app.cli;

import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import java.io.PrintStream;
import java.util.Map;

/** The Kafka a command talks to: the external cluster it was given, or an embedded broker it owns. */
public final class KafkaEndpoint implements AutoCloseable {
    private final EmbeddedBroker broker;
    private final Map<String, Object> clientConfig;

    private KafkaEndpoint(EmbeddedBroker broker, Map<String, Object> clientConfig) {
        this.broker = broker;
        this.clientConfig = clientConfig;
    }

    public static KafkaEndpoint open(KafkaOptions options, PrintStream progress) {
        if (options.external()) {
            return new KafkaEndpoint(null, options.reachableClientConfig());
        }
        long started = System.nanoTime();
        EmbeddedBroker broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3));
        progress.printf("wirewatch: embedded Kafka broker ready on %s in %.1f s%n", broker.bootstrapServers(),
                (System.nanoTime() - started) / 1e9);
        return new KafkaEndpoint(broker, options.clientConfig(broker.bootstrapServers()));
    }

    public Map<String, Object> clientConfig() {
        return clientConfig;
    }

    @Override
    public void close() {
        if (broker != null) {
            broker.close();
        }
    }
}
