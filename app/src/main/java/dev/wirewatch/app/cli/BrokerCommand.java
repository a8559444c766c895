package dev.wirewatch.app.cli;

import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.app.kafka.TopicSetup;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Runs a real single-node KRaft Kafka broker in the foreground with wirewatch's topics, for trying the services out by hand. Ctrl-C stops it.")
public final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "DIR", description = "Log directory, kept across restarts (default: a temporary one, deleted on exit).")
    Path data;

    @Option(names = "--port", defaultValue = "9092", description = "Client port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--listen", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "Address to listen on and advertise to clients, e.g. this host's LAN address so sensors on other hosts reach it (default: ${DEFAULT-VALUE}). No TLS or authentication: for labs only.")
    String listen;

    @Option(names = "--partitions", defaultValue = "3", description = "Partitions of the topics it creates (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Override
    public Integer call() throws InterruptedException {
        try (EmbeddedBroker broker = EmbeddedBroker.start(new BrokerOptions(data, port, partitions, listen))) {
            try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                TopicSetup.ensure(admin, partitions, Map.of());
            }
            System.out.println("wirewatch broker: serving on " + broker.bootstrapServers() + " (Ctrl-C to stop)");
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
        return 0;
    }
}
