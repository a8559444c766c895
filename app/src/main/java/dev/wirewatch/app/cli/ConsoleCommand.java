package dev.wirewatch.app.cli;

import dev.wirewatch.app.console.ConsoleApi;
import dev.wirewatch.app.console.ConsoleServer;
import dev.wirewatch.app.console.Logins;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.schemas.Durations;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "console", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serves the web console: findings live as they reach ww.alerts, each flow as every sensor recorded it (a ladder diagram) with its evidence as pcapng, the sensors' health and the topology. Reads Kafka only.",
                "Bound to 127.0.0.1 by default. Bound elsewhere it needs --users (HTTP basic login; make lines with --hash-password NAME) and --tls-keystore.",
                "Example: wirewatch console --bootstrap-servers 10.0.0.9:9092 --topology topology.yaml, then open http://127.0.0.1:8080/"})
public final class ConsoleCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT", description = "Port (default: ${DEFAULT-VALUE}; 0: any free one, printed).")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--topology", paramLabel = "FILE", description = "topology.yaml to show beside the sensors.")
    Path topology;

    @Option(names = "--resolve-after", defaultValue = "15m", paramLabel = "DURATION",
            description = "A finding with no new revision for this long shows as resolved, as the sink resolves it (default: ${DEFAULT-VALUE}).")
    String resolveAfter;

    @Option(names = "--application-id", defaultValue = "wirewatch-processor", paramLabel = "ID", description = "The processor's application id (default: ${DEFAULT-VALUE}).")
    String applicationId;

    @Option(names = "--sink-group-id", defaultValue = "wirewatch-sink", paramLabel = "ID", description = "The sink's group (default: ${DEFAULT-VALUE}).")
    String sinkGroupId;

    @Option(names = "--users", paramLabel = "FILE", description = "Logins: lines NAME:pbkdf2-sha256:... as --hash-password prints them.")
    Path users;

    @Option(names = "--tls-keystore", paramLabel = "FILE", description = "PKCS12 key store with the console's key and certificate: serve HTTPS.")
    Path keyStore;

    @Option(names = "--tls-password-file", paramLabel = "FILE", description = "A file whose first line is the key store's password.")
    Path keyStorePassword;

    @Option(names = "--hash-password", paramLabel = "NAME",
            description = "Read a password from standard input, print the --users line for NAME and exit.")
    String hashFor;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Override
    public Integer call() throws Exception {
        if (hashFor != null) {
            String password = readPassword(System.in);
            System.out.println(Arguments.parse(() -> Logins.line(hashFor, password)));
            return 0;
        }
        if (!kafka.external()) {
            throw new UsageException("--bootstrap-servers is required: the console shows what a cluster holds");
        }
        InetAddress address = Arguments.parse(() -> {
            try {
                return InetAddress.getByName(bind);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException("--bind: unknown address " + bind);
            }
        });
        if (!address.isLoopbackAddress() && (users == null || keyStore == null)) {
            throw new UsageException("--bind " + bind + " lets others reach the console: give --users FILE for a login"
                    + " and --tls-keystore (the login's password would otherwise cross the network in clear)");
        }
        Logins logins = users == null ? null : Arguments.parse(() -> Logins.load(users));
        SSLContext tls = keyStore == null ? null : tls(keyStore, keyStorePassword);
        NetworkTopology network = NetworkTopology.load(topology);
        Map<String, Object> clientConfig = kafka.reachableClientConfig();
        ConsoleApi api;
        try {
            api = new ConsoleApi(clientConfig, network, Durations.parse("--resolve-after", resolveAfter), applicationId,
                    sinkGroupId);
        } catch (UnknownTopicOrPartitionException e) {
            throw new UsageException(e.getMessage() + " (no processor has run on " + kafka.bootstrapServers + " yet?)");
        }
        try (ConsoleServer server = new ConsoleServer(new InetSocketAddress(address, port), tls, logins, api)) {
            server.start();
            System.out.printf("console: %s://%s:%d/%s (Ctrl-C to stop)%n", tls == null ? "http" : "https",
                    address.getHostAddress(), server.port(), logins == null ? "" : " (login required)");
            CountDownLatch stop = new CountDownLatch(1);
            StopSignals.onStop("console", stop::countDown);
            stop.await();
        }
        return 0;
    }

    private static SSLContext tls(Path keyStore, Path passwordFile) throws Exception {
        if (passwordFile == null) {
            throw new UsageException("--tls-keystore needs --tls-password-file");
        }
        char[] password = BrokerCommand.firstLine(passwordFile).toCharArray();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, password);
        } catch (Exception e) {
            throw new UsageException("--tls-keystore " + keyStore + ": cannot open (" + e.getMessage() + ")");
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    private static String readPassword(InputStream in) throws java.io.IOException {
        if (System.console() != null) {
            char[] typed = System.console().readPassword("password for the console login: ");
            return typed == null ? "" : new String(typed);
        }
        String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        if (line == null || line.isEmpty()) {
            throw new UsageException("--hash-password: no password on standard input");
        }
        return line;
    }
}
