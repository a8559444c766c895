package dev.wirewatch.app.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.wirewatch.app.export.AlertLookup;
import dev.wirewatch.app.export.EvidenceExport;
import dev.wirewatch.app.export.EvidenceQuery;
import dev.wirewatch.app.export.EvidenceScan;
import dev.wirewatch.app.status.ClusterStatus;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What the page asks, answered from Kafka alone: alerts from the {@link AlertFeed}, a finding's packets from
 * ww.packets (as export reads them), the sensors' health from ww.sensors (as status reads it), and the topology file.
 */
public final class ConsoleApi implements AutoCloseable {
    /** Packets this long before a finding's first and after its last sighting belong in its ladder. */
    private static final Duration MARGIN = Duration.ofSeconds(5);
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    private static final int QUEUED_PER_PAGE = 1_000;

    private final AlertFeed feed;
    private final Map<String, Object> clientConfig;
    private final NetworkTopology topology;
    private final String applicationId;
    private final String sinkGroup;
    private final PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());

    public ConsoleApi(Map<String, Object> clientConfig, NetworkTopology topology, Duration resolveAfter,
                      String applicationId, String sinkGroup) {
        this.clientConfig = clientConfig;
        this.topology = topology;
        this.applicationId = applicationId;
        this.sinkGroup = sinkGroup;
        this.feed = new AlertFeed(clientConfig, dev.wirewatch.schemas.Topics.ALERTS, resolveAfter,
                java.time.Clock.systemUTC());
        feed.start();
    }

    ObjectNode alerts() {
        ObjectNode node = ConsoleJson.JSON.createObjectNode();
        ArrayNode list = node.putArray("alerts");
        feed.all().forEach(received -> list.add(ConsoleJson.alert(received, feed.resolved(received))));
        feed.failure().ifPresent(why -> node.put("error", why));
        return node;
    }

    Optional<ObjectNode> alert(String id) {
        return received(id).map(received -> ConsoleJson.alert(received, feed.resolved(received)));
    }

    Optional<ObjectNode> ladder(String id) {
        return received(id).map(received -> {
            Alert alert = received.alert();
            EvidenceScan.Found found = evidence(alert);
            int serverPort = Ladder.port(alert.getServer()).orElse(0);
            return ConsoleJson.ladder(ConsoleJson.alert(received, feed.resolved(received)),
                    Ladder.of(found.sightings(), found.activity(), serverPort),
                    "/api/alerts/" + id + "/evidence.pcapng");
        });
    }

    void evidence(String id, HttpExchange exchange) throws IOException {
        Optional<AlertFeed.Received> received = received(id);
        if (received.isEmpty()) {
            ConsoleServer.json(exchange, 404, ConsoleJson.error("no alert " + id + " on ww.alerts"));
            return;
        }
        EvidenceScan.Found found = evidence(received.get().alert());
        if (found.sightings().isEmpty()) {
            ConsoleServer.json(exchange, 404, ConsoleJson.error("no packets of alert " + id + " on ww.packets"));
            return;
        }
        ByteArrayOutputStream pcapng = new ByteArrayOutputStream();
        EvidenceExport.write(found.sightings(), "wirewatch console: evidence of alert " + id, pcapng);
        exchange.getResponseHeaders().set("Content-Type", "application/vnd.tcpdump.pcap");
        exchange.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"wirewatch-" + id + ".pcapng\"");
        ConsoleServer.send(exchange, 200, pcapng.toByteArray());
    }

    ObjectNode sensors() {
        try {
            return ConsoleJson.sensors(new ClusterStatus(clientConfig, Instant.now(), Duration.ofSeconds(30))
                    .read(applicationId, sinkGroup).sensors());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            ObjectNode node = ConsoleJson.sensors(List.of());
            node.put("error", "cannot read the sensors' status from Kafka: " + e.getMessage());
            return node;
        }
    }

    ObjectNode topology() {
        return ConsoleJson.topology(topology);
    }

    /** Server-sent events: every alert or revision read from now on, and a comment now and then to keep it open. */
    void stream(HttpExchange exchange) throws IOException {
        BlockingQueue<AlertFeed.Received> queue = new LinkedBlockingQueue<>(QUEUED_PER_PAGE);
        Consumer<AlertFeed.Received> listener = queue::offer; // a page that does not read loses the surplus, not memory
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(200, 0);
        feed.listen(listener);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(ConsoleServer.utf8(": wirewatch console\n\n"));
            out.flush();
            while (true) {
                AlertFeed.Received next = queue.poll(KEEP_ALIVE.toMillis(), TimeUnit.MILLISECONDS);
                String event = next == null ? ": keep-alive\n\n" : "event: alert\ndata: "
                        + ConsoleJson.JSON.writeValueAsString(ConsoleJson.alert(next, feed.resolved(next))) + "\n\n";
                out.write(ConsoleServer.utf8(event));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            feed.stopListening(listener);
        }
    }

    private Optional<AlertFeed.Received> received(String id) {
        Optional<AlertFeed.Received> kept = feed.find(id);
        if (kept.isPresent()) {
            return kept;
        }
        // let go from memory (or not read yet): the topic still has it
        return new AlertLookup(clientConfig).find(id).map(alert -> new AlertFeed.Received(alert, Instant.EPOCH));
    }

    private EvidenceScan.Found evidence(Alert alert) {
        try {
            return new EvidenceScan(clientConfig, quiet).read(EvidenceQuery.ofAlert(alert, MARGIN));
        } catch (IllegalArgumentException noSubject) { // an alert about a sensor, not about traffic
            return new EvidenceScan.Found(List.of(), List.of(), 0, 0);
        }
    }

    @Override
    public void close() {
        feed.close();
    }
}
