package dev.wirewatch.app.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's web server (the JDK's own): the page's files from the classpath and the JSON API of {@link ConsoleApi},
 * behind an optional login (HTTP basic, over TLS when bound beyond this host). Every answer forbids scripts and
 * styles from anywhere but the console itself, so a string from a packet that slipped into markup could not run.
 */
public final class ConsoleServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);
    private static final Pattern ALERT = Pattern.compile("/api/alerts/([A-Za-z0-9_-]{1,64})(/ladder|/evidence\\.pcapng)?");
    private static final Pattern ASSET = Pattern.compile("/(?:console/)?([A-Za-z0-9_-]+(?:\\.[A-Za-z0-9]+)+)");
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8", "js",
            "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml", "png",
            "image/png", "ico", "image/x-icon", "json", "application/json");
    private static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final int THREADS = 32;

    private final HttpServer server;
    private final ExecutorService threads;
    private final ConsoleApi api;

    /**
     * @param tls    null for plain HTTP
     * @param logins null for no login (only sensible on 127.0.0.1)
     */
    public ConsoleServer(InetSocketAddress address, SSLContext tls, Logins logins, ConsoleApi api) throws IOException {
        this.api = api;
        if (tls == null) {
            server = HttpServer.create(address, 64);
        } else {
            HttpsServer https = HttpsServer.create(address, 64);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
        }
        // bounded: each open page holds one thread for its event stream; more requests than threads wait their turn
        threads = Executors.newFixedThreadPool(THREADS, runnable -> {
            Thread thread = new Thread(runnable, "wirewatch-console-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(threads);
        HttpContext root = server.createContext("/", this::handle);
        if (logins != null) {
            root.setAuthenticator(new BasicAuthenticator("wirewatch console") {
                @Override
                public boolean checkCredentials(String user, String password) {
                    return logins.accepts(user, password);
                }
            });
        }
    }

    public void start() {
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Security-Policy", POLICY);
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                json(exchange, 405, ConsoleJson.error("only GET"));
                return;
            }
            route(exchange, exchange.getRequestURI().getPath());
        } catch (IOException | UncheckedIOException closedByTheBrowser) { // a page closed or reloaded mid-answer
            LOG.debug("console: {} {}: {}", exchange.getRequestMethod(), exchange.getRequestURI(), closedByTheBrowser.toString());
        } catch (RuntimeException e) {
            LOG.warn("console: {} failed", exchange.getRequestURI(), e);
            json(exchange, 500, ConsoleJson.error("the console failed on this request: " + e.getMessage()));
        }
    }

    private void route(HttpExchange exchange, String path) throws IOException {
        Matcher alert = ALERT.matcher(path);
        Matcher asset = ASSET.matcher(path);
        if (path.equals("/api/alerts")) {
            json(exchange, 200, api.alerts());
        } else if (path.equals("/api/events")) {
            api.stream(exchange);
        } else if (path.equals("/api/sensors")) {
            json(exchange, 200, api.sensors());
        } else if (path.equals("/api/topology")) {
            json(exchange, 200, api.topology());
        } else if (alert.matches()) {
            String id = alert.group(1);
            String part = alert.group(2);
            if (part == null) {
                api.alert(id).ifPresentOrElse(found -> json(exchange, 200, found),
                        () -> json(exchange, 404, ConsoleJson.error("no alert " + id + " on ww.alerts")));
            } else if (part.equals("/ladder")) {
                api.ladder(id).ifPresentOrElse(found -> json(exchange, 200, found),
                        () -> json(exchange, 404, ConsoleJson.error("no alert " + id + " on ww.alerts")));
            } else {
                api.evidence(id, exchange);
            }
        } else if (path.equals("/") || path.equals("/console/")) {
            asset(exchange, "index.html");
        } else if (asset.matches()) {
            asset(exchange, asset.group(1));
        } else {
            json(exchange, 404, ConsoleJson.error("no such page: " + path));
        }
    }

    private static void asset(HttpExchange exchange, String name) throws IOException {
        try (InputStream in = ConsoleServer.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                json(exchange, 404, ConsoleJson.error("no such file: " + name));
                return;
            }
            byte[] body = in.readAllBytes();
            String type = TYPES.getOrDefault(name.substring(name.lastIndexOf('.') + 1), "application/octet-stream");
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            send(exchange, 200, body);
        }
    }

    static void json(HttpExchange exchange, int status, JsonNode body) {
        try {
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            send(exchange, status, ConsoleJson.JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
        api.close();
    }
}
