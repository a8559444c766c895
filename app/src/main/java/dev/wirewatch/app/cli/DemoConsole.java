package dev.wirewatch.app.cli;

import dev.wirewatch.app.console.ConsoleApi;
import dev.wirewatch.app.console.ConsoleServer;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.processor.network.NetworkTopology;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;

/** The console beside the demo: on its broker before the first case, so a newcomer watches the findings arrive. */
final class DemoConsole {
    private DemoConsole() {}

    static ConsoleServer start(Map<String, Object> clientConfig, int port, PrintStream out) {
        try (Admin admin = Admin.create(clientConfig)) {
            TopicSetup.ensure(admin, TopicSetup.DEFAULT_PARTITIONS, Map.of());
        }
        ConsoleApi api = new ConsoleApi(clientConfig, NetworkTopology.EMPTY, Duration.ofMinutes(15),
                "wirewatch-processor", "wirewatch-sink");
        try {
            ConsoleServer server = new ConsoleServer(new InetSocketAddress("127.0.0.1", port), null, null, api);
            server.start();
            out.printf("wirewatch demo: the console is on http://127.0.0.1:%d/ — open it to watch the findings arrive%n",
                    server.port());
            return server;
        } catch (IOException e) {
            api.close();
            throw new UsageException("--console-port " + port + ": cannot serve there (" + e.getMessage() + ")");
        }
    }

    static void serveUntilStopped(ConsoleServer server, PrintStream out) {
        out.printf("%nwirewatch demo: the console stays on http://127.0.0.1:%d/ until Ctrl-C%n", server.port());
        CountDownLatch stop = new CountDownLatch(1);
        StopSignals.onStop("demo", stop::countDown);
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
