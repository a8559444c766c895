package dev.wirewatch.app.kafka;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * Whether Kafka answers, and why not in a person's words. Without this a client started before its cluster retries
 * in silence until some later call times out naming a topic; here a service says at once what it waits for, and a
 * one-shot command says "cannot connect" within seconds.
 */
public final class KafkaReach {
    /**
     * How long one probe may take: a TCP connect per bootstrap server, then one metadata request. 4 s was too short
     * for a busy cluster on a loaded host (the fault suite saw a one-shot replay give up on three live brokers).
     */
    public static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private KafkaReach() {}

    /** Login or permission refused: waiting will not help, the settings must change. */
    public static final class Refused extends RuntimeException {
        Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static String bootstrap(Map<String, Object> clientConfig) {
        return String.valueOf(clientConfig.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
    }

    /**
     * Empty when the cluster answers a metadata request within {@code timeout}; else why not ("connection refused").
     * A refused login or permission throws {@link Refused}: that is no reason to wait.
     */
    public static Optional<String> problem(Map<String, Object> clientConfig, Duration timeout) {
        Optional<String> socket = noServerListens(bootstrap(clientConfig), timeout);
        if (socket.isPresent()) {
            return socket;
        }
        Map<String, Object> config = new HashMap<>(clientConfig);
        int millis = (int) timeout.toMillis();
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
        config.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "wirewatch-probe");
        try (Admin admin = Admin.create(config)) {
            admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return Optional.empty();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthenticationException || e.getCause() instanceof AuthorizationException) {
                throw new Refused("Kafka at " + bootstrap(clientConfig) + " refused this client: "
                        + e.getCause().getMessage() + " (check --kafka-config)", e.getCause());
            }
            return Optional.of(e.getCause().getClass().getSimpleName() + ": " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            return Optional.of("a server listens but no Kafka answered within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    /** Empty when some bootstrap server accepts a TCP connection; else the first server's reason. */
    private static Optional<String> noServerListens(String servers, Duration timeout) {
        String first = null;
        String[] list = servers.split(",");
        // the whole probe stays within its timeout however many servers do not answer
        int perServer = (int) Math.max(500, timeout.toMillis() / list.length);
        for (String server : list) {
            String hostPort = server.trim();
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) {
                return Optional.empty(); // not ours to judge: the client will say what it makes of it
            }
            String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
            int port;
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), perServer);
                return Optional.empty();
            } catch (IOException e) {
                if (first == null) {
                    first = why(e);
                }
            }
        }
        return Optional.ofNullable(first);
    }

    private static String why(IOException e) {
        if (e instanceof ConnectException) {
            return "connection refused: nothing listens there";
        }
        if (e instanceof SocketTimeoutException) {
            return "no answer to connect";
        }
        if (e instanceof UnknownHostException) {
            return "unknown host " + e.getMessage();
        }
        if (e instanceof NoRouteToHostException) {
            return "no route to host";
        }
        return e.getMessage();
    }

    /**
     * Blocks until Kafka answers, for services started before their cluster: says at once what it waits for
     * ({@code status} gets the reason for /health, then empty), tries again after 1 s, 2 s, ... up to 10 s, and a
     * Ctrl-C meanwhile ends the process at once with 0 — nothing was started that needs stopping.
     */
    public static void await(Map<String, Object> clientConfig, String service, PrintStream progress,
                             Consumer<Optional<String>> status) {
        Optional<String> problem = problem(clientConfig, PROBE_TIMEOUT);
        if (problem.isEmpty()) {
            return;
        }
        Thread stopWhileWaiting = new Thread(() -> Runtime.getRuntime().halt(0), "wirewatch-" + service + "-stop-waiting");
        Runtime.getRuntime().addShutdownHook(stopWhileWaiting);
        long started = System.nanoTime();
        Duration backoff = FIRST_BACKOFF;
        String said = null;
        try {
            while (problem.isPresent()) {
                status.accept(problem);
                if (!problem.get().equals(said)) {
                    said = problem.get();
                    progress.printf("%s: waiting for Kafka at %s (%s)%n", service, bootstrap(clientConfig), said);
                }
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for Kafka", e);
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                problem = problem(clientConfig, PROBE_TIMEOUT);
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopWhileWaiting);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs already: it ends the process
            }
        }
        status.accept(Optional.empty());
        progress.printf("%s: Kafka at %s answers (waited %.0f s)%n", service, bootstrap(clientConfig),
                (System.nanoTime() - started) / 1e9);
    }
}
