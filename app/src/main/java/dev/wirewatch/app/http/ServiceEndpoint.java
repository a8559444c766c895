package dev.wirewatch.app.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * What every wirewatch service answers on {@code --http-port}: {@code /metrics} in Prometheus' text format and
 * {@code /health}, 200 when the service works and 503 with the reason when it is degraded. The JDK's own HTTP
 * server: two small endpoints do not need a web framework.
 */
public final class ServiceEndpoint implements AutoCloseable {
    private final HttpServer server;

    private ServiceEndpoint(HttpServer server) {
        this.server = server;
    }

    /** Serves on every address at {@code port} (0: any free port); {@code degraded} gives the reason, if any. */
    public static ServiceEndpoint start(int port, PrometheusMeterRegistry registry, Supplier<Optional<String>> degraded) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(port), 16);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serve /metrics on port " + port + ": " + e.getMessage(), e);
        }
        server.createContext("/metrics", exchange -> answer(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                registry.scrape()));
        server.createContext("/health", exchange -> {
            Optional<String> reason = degraded.get();
            answer(exchange, reason.isPresent() ? 503 : 200, "application/json",
                    reason.map(why -> "{\"status\":\"degraded\",\"reason\":\"" + json(why) + "\"}\n")
                            .orElse("{\"status\":\"ok\"}\n"));
        });
        server.setExecutor(Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "wirewatch-http");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
        return new ServiceEndpoint(server);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String json(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
