package dev.wirewatch.processor.detect;

import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.FlowRecord;
import dev.wirewatch.schemas.AvroSerde;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * HALF_OPEN_SESSION, second half (service stage): adds {@code reconnected} — did the client open another
 * connection to the same service after the stale one went quiet? It remembers when each client last connected to
 * each service (from closed flows), and holds a finding until such a connection shows up or {@code
 * reconnect-window} has passed after the give-up (or the input ended), then reports it.
 * A reconnection is known once its flow has closed; a new connection still open at the end of the window is not.
 */
public final class HalfOpenSessionReport {
    public static final String PENDING_STORE = "half-open-pending";
    public static final String CONNECTIONS_STORE = "latest-connections";
    /** How long a client's latest connection to a service is remembered. */
    private static final long REMEMBER_MICROS = 3_600_000_000L;
    private static final long FORGET_EVERY_MICROS = 60_000_000L;
    private long forgottenAt;
    private long previousWatermark = Long.MIN_VALUE;

    private final ProcessorConfig config;
    private final Serializer<Alert> serializer = AvroSerde.of(Alert.class).serializer();
    private final Deserializer<Alert> deserializer = AvroSerde.of(Alert.class).deserializer();
    private KeyValueStore<String, byte[]> pending;
    private KeyValueStore<String, Long> latestConnections;
    private Consumer<Alert> alerts;

    public HalfOpenSessionReport(ProcessorConfig config) {
        this.config = config;
    }

    public void init(KeyValueStore<String, byte[]> pending, KeyValueStore<String, Long> latestConnections,
                     Consumer<Alert> alerts) {
        this.pending = pending;
        this.latestConnections = latestConnections;
        this.alerts = alerts;
    }

    /** A closed flow: the client connected to the service at its first-seen time. */
    public void onFlow(FlowRecord flow) {
        String key = service(flow.getServer(), flow.getServerPort(), flow.getClient());
        Long before = latestConnections.get(key);
        if (before == null || flow.getFirstSeenMicros() > before) {
            latestConnections.put(key, flow.getFirstSeenMicros());
        }
        List<Alert> waiting = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> iterator = pending.all()) {
            iterator.forEachRemaining(entry -> waiting.add(deserializer.deserialize(null, entry.value)));
        }
        for (Alert finding : waiting) {
            if (reconnected(finding)) {
                report(finding, true);
            }
        }
    }

    /** A finding from the flow stage: reported at once if the client has reconnected already, else held. */
    public void onFinding(Alert finding) {
        if (reconnected(finding)) {
            report(finding, true);
        } else {
            pending.put(finding.getId(), serializer.serialize(null, finding));
        }
    }

    /** Reports the findings whose window for a reconnection has passed; forgets old connections. */
    public void release(long watermarkMicros, boolean inputEnded) {
        List<KeyValue<String, byte[]>> all = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> iterator = pending.all()) {
            iterator.forEachRemaining(all::add);
        }
        for (KeyValue<String, byte[]> entry : all) {
            Alert finding = deserializer.deserialize(null, entry.value);
            if (inputEnded || finding.getLastSeenMicros() + config.reconnectWindowMicros() <= watermarkMicros) {
                report(finding, reconnected(finding));
            }
        }
        if (!inputEnded) {
            previousWatermark = Math.max(previousWatermark, watermarkMicros);
        }
        // Connections older than an hour can no longer count as a reconnection: forgetting them is for memory only,
        // so it runs once a minute of stream time rather than at every watermark (a scan of every connection).
        if (!inputEnded && watermarkMicros - forgottenAt >= FORGET_EVERY_MICROS) {
            forgottenAt = watermarkMicros;
            List<String> old = new ArrayList<>();
            try (KeyValueIterator<String, Long> iterator = latestConnections.all()) {
                iterator.forEachRemaining(entry -> {
                    if (entry.value < watermarkMicros - REMEMBER_MICROS) {
                        old.add(entry.key);
                    }
                });
            }
            old.forEach(latestConnections::delete);
        }
    }

    /**
     * A connection after the finding began, and not one that forgetting at every watermark (as it once ran) would
     * already have dropped: forgetting now runs once a minute, the answer stays what it was.
     */
    private boolean reconnected(Alert finding) {
        long since = previousWatermark == Long.MIN_VALUE ? Long.MIN_VALUE : previousWatermark - REMEMBER_MICROS;
        String server = finding.getServer();
        int colon = server.lastIndexOf(':');
        String serverIp = server.substring(0, colon).replace("[", "").replace("]", "");
        String client = finding.getClient();
        String clientIp = client.substring(0, client.lastIndexOf(':')).replace("[", "").replace("]", "");
        Long latest = latestConnections.get(service(serverIp, Integer.parseInt(server.substring(colon + 1)), clientIp));
        return latest != null && latest > finding.getFirstSeenMicros() && latest >= since;
    }

    private void report(Alert finding, boolean reconnected) {
        pending.delete(finding.getId());
        Alert alert = Alert.newBuilder(finding).setReconnected(reconnected)
                .setSummary(finding.getSummary() + (reconnected
                        ? " The client has since connected to the service again."
                        : ""))
                .build();
        alerts.accept(alert);
    }

    private static String service(String serverIp, int port, String clientIp) {
        return serverIp + "|" + port + "|" + clientIp;
    }
}
