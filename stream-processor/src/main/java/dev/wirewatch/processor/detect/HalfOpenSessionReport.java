package dev.wirewatch.processor.detect;

import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.service.ServiceDetector;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.FlowRecord;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.AvroSerde;
import dev.wirewatch.schemas.FlowKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * HALF_OPEN_SESSION, second half (service stage): adds {@code reconnected} — did the client open another
 * connection to the same service after the stale one went quiet? It remembers when each client last connected to
 * each service (from closed flows), and holds a finding until such a connection shows up or {@code
 * reconnect-window} has passed after the give-up (or the input ended), then reports it.
 * A reconnection is known once its flow has closed; a new connection still open at the end of the window is not.
 *
 * <p>One fault, one alert: KEEPALIVE_UNANSWERED and INJECTED_RST findings about a connection come here too and go out
 * at once; a HALF_OPEN_SESSION on the same connection that one of them explains — the prober's unanswered keep-alives,
 * or a forged RST whose supposed sender is the host that still holds the session — then goes out as {@code info}
 * with {@code explained_by} ({@link Explained}). They are remembered until the connection's flow closes.
 */
public final class HalfOpenSessionReport implements ServiceDetector {
    public static final String PENDING_STORE = "half-open-pending";
    public static final String CONNECTIONS_STORE = "latest-connections";
    /** KEEPALIVE_UNANSWERED and INJECTED_RST alerts by connection and type, until the connection's flow closes. */
    public static final String EXPLANATIONS_STORE = "half-open-explanations";
    /** The flow findings that meet here: HALF_OPEN_SESSION and those that can explain one. */
    public static final Set<String> TYPES = Set.of(HalfOpenSessionDetector.TYPE, KeepAliveUnansweredDetector.TYPE,
            InjectedRstDetector.TYPE);
    /** A client's latest connection to a service is remembered at least this long ({@link #rememberMicros}). */
    private static final long REMEMBER_AT_LEAST_MICROS = 3_600_000_000L;
    private static final long FORGET_EVERY_MICROS = 60_000_000L;
    private long forgottenAt;
    private long previousWatermark = Long.MIN_VALUE;

    private final ProcessorConfig config;
    /**
     * How long a client's latest connection to a service is remembered: an hour, and past {@code reconnect-window}
     * with the way a finding takes to get here (half-open grace, clock skew), so a connection within the window
     * still counts when its flow closes an hour or more after it began.
     */
    private final long rememberMicros;
    private final Serializer<Alert> serializer = AvroSerde.of(Alert.class).serializer();
    private final Deserializer<Alert> deserializer = AvroSerde.of(Alert.class).deserializer();
    private KeyValueStore<String, byte[]> pending;
    private KeyValueStore<String, Long> latestConnections;
    private KeyValueStore<String, Alert> explanations;
    private Consumer<Alert> alerts;

    public HalfOpenSessionReport(ProcessorConfig config) {
        this.config = config;
        this.rememberMicros = Math.max(REMEMBER_AT_LEAST_MICROS, config.reconnectWindowMicros()
                + config.halfOpenGraceMicros() + 2 * config.clockSkewMicros());
    }

    /** None of its own: it completes the flow stage's HALF_OPEN_SESSION, KEEPALIVE_UNANSWERED and INJECTED_RST. */
    @Override
    public Set<String> types() {
        return Set.of();
    }

    @Override
    public List<StoreBuilder<?>> stores() {
        return List.of(ServiceDetector.store(PENDING_STORE, Serdes.String(), Serdes.ByteArray()),
                ServiceDetector.store(CONNECTIONS_STORE, Serdes.String(), Serdes.Long()),
                ServiceDetector.store(EXPLANATIONS_STORE, Serdes.String(), AvroSerde.of(Alert.class)));
    }

    @Override
    public void init(ProcessorContext<?, ?> context, Consumer<Alert> alerts) {
        this.pending = context.getStateStore(PENDING_STORE);
        this.latestConnections = context.getStateStore(CONNECTIONS_STORE);
        this.explanations = context.getStateStore(EXPLANATIONS_STORE);
        this.alerts = alerts;
    }

    /** A closed TCP flow: the client connected to the service at its first-seen time; what explained it is forgotten. */
    @Override
    public void onFlow(byte[] server, FlowRecord flow) {
        if (flow.getProtocol() != FlowKey.TCP) {
            return;
        }
        String connection = Addresses.endpoint(Addresses.parse(flow.getClient()), flow.getClientPort()) + "|"
                + Addresses.endpoint(Addresses.parse(flow.getServer()), flow.getServerPort());
        for (String type : List.of(KeepAliveUnansweredDetector.TYPE, InjectedRstDetector.TYPE)) {
            if (explanations.get(connection + "|" + type) != null) { // a blind delete would log a tombstone per flow
                explanations.delete(connection + "|" + type);
            }
        }
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

    /**
     * A finding from the flow stage. KEEPALIVE_UNANSWERED and INJECTED_RST: reported at once, and remembered. A
     * HALF_OPEN_SESSION: explained by one of them where it can be, then reported at once if the client has
     * reconnected already, else held.
     */
    @Override
    public void onFinding(Alert received) {
        if (!TYPES.contains(received.getType())) {
            return;
        }
        if (!received.getType().equals(HalfOpenSessionDetector.TYPE)) {
            explanations.putIfAbsent(connection(received) + "|" + received.getType(), received);
            alerts.accept(received);
            return;
        }
        Alert finding = explained(received);
        if (reconnected(finding)) {
            report(finding, true);
        } else {
            pending.put(finding.getId(), serializer.serialize(null, finding));
        }
    }

    /**
     * The prober's unanswered keep-alives are how the side that gave up learnt the session was gone; a RST forged in
     * the name of the host that still holds the session is what ended it at the other end.
     */
    private Alert explained(Alert finding) {
        if (finding.getExplainedBy() != null) {
            return finding;
        }
        Alert keepAlive = explanations.get(connection(finding) + "|" + KeepAliveUnansweredDetector.TYPE);
        if (keepAlive != null) {
            return Explained.by(finding, keepAlive, "the same middlebox left the keep-alive probes on this connection "
                    + "unanswered");
        }
        Alert injected = explanations.get(connection(finding) + "|" + InjectedRstDetector.TYPE);
        if (injected != null && finding.getHost() != null && finding.getHost().equals(injected.getMissingAt())) {
            return Explained.by(finding, injected, "a middlebox reset this connection in " + finding.getHost()
                    + "'s name");
        }
        return finding;
    }

    private static String connection(Alert alert) {
        return alert.getClient() + "|" + alert.getServer();
    }

    /** Reports the findings whose window for a reconnection has passed; forgets old connections. */
    @Override
    public void judge(long watermarkMicros, boolean inputEnded) {
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
        // Connections older than rememberMicros can no longer count as a reconnection: forgetting them is for memory
        // only, so it runs once a minute of stream time rather than at every watermark (a scan of every connection).
        if (!inputEnded && watermarkMicros - forgottenAt >= FORGET_EVERY_MICROS) {
            forgottenAt = watermarkMicros;
            List<String> old = new ArrayList<>();
            try (KeyValueIterator<String, Long> iterator = latestConnections.all()) {
                iterator.forEachRemaining(entry -> {
                    if (entry.value < watermarkMicros - rememberMicros) {
                        old.add(entry.key);
                    }
                });
            }
            old.forEach(latestConnections::delete);
            // A connection whose flow never closes here (a restart from later offsets) is forgotten as late.
            List<String> stale = new ArrayList<>();
            try (KeyValueIterator<String, Alert> iterator = explanations.all()) {
                iterator.forEachRemaining(entry -> {
                    if (entry.value.getLastSeenMicros() < watermarkMicros - rememberMicros) {
                        stale.add(entry.key);
                    }
                });
            }
            stale.forEach(explanations::delete);
        }
    }

    /**
     * A connection after the finding began, and not one that forgetting at every watermark (as it once ran) would
     * already have dropped: forgetting now runs once a minute, the answer stays what it was.
     */
    private boolean reconnected(Alert finding) {
        long since = previousWatermark == Long.MIN_VALUE ? Long.MIN_VALUE : previousWatermark - rememberMicros;
        String server = finding.getServer();
        int colon = server.lastIndexOf(':');
        String serverIp = server.substring(0, colon).replace("[", "").replace("]", "");
        String client = finding.getClient();
        String clientIp = client.substring(0, client.lastIndexOf(':')).replace("[", "").replace("]", "");
        Long latest = latestConnections.get(service(serverIp, Integer.parseInt(server.substring(colon + 1)), clientIp));
        return latest != null && latest > finding.getFirstSeenMicros() && latest >= since;
    }

    /** Out it goes, explained by what arrived while it waited if nothing did before. */
    private void report(Alert waited, boolean reconnected) {
        pending.delete(waited.getId());
        Alert finding = explained(waited);
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
