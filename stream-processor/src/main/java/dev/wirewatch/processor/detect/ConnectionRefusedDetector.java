package dev.wirewatch.processor.detect;

import dev.wirewatch.processor.alert.AlertIds;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.flow.ConnectionTimeouts;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.processor.service.ServiceDetector;
import dev.wirewatch.processor.state.JsonState;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Evidence;
import dev.wirewatch.record.FlowRecord;
import dev.wirewatch.record.VantageView;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.FlowKey;
import dev.wirewatch.schemas.Times;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CONNECTION_REFUSED: SYNs to a service answered by RST from the server. Reads closed flows keyed by server
 * address (in the service stage); one alert per service (address and port) and window, with the number of
 * attempts, the distinct clients, and the ports on that server that did complete handshakes recently
 * ({@code accepting_ports}) — the hint that the service moved. A window closes when the service stage's low
 * watermark passes its end plus the delay with which closed flows arrive, or when the input ended.
 */
public final class ConnectionRefusedDetector implements ServiceDetector {
    public static final String TYPE = "CONNECTION_REFUSED";
    public static final String SERVICES_STORE = "services";

    /** Beyond the reset delay and clock skew; keeps the wait at the 10 s it was as a constant, with the default skew. */
    private static final long FLOW_CLOSE_SLACK_MICROS = 4_000_000;
    private static final int MAX_EVIDENCE = 5;
    private static final Comparator<Seen> EVIDENCE_ORDER = Comparator.comparingLong(Seen::tsMicros)
            .thenComparing(Seen::line).thenComparing(Seen::host);
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionRefusedDetector.class);

    private final NetworkTopology topology;
    private final ProcessorConfig config;
    /** Closed flows arrive after Zeek's reset delay plus the clock skew: a window's end waits that long and more. */
    private final long flowCloseDelayMicros;
    private KeyValueStore<Bytes, byte[]> services;
    private Consumer<Alert> alerts;
    private long lateFlows;

    /**
     * What one server has seen: refused attempts per port in the open window, when each port last accepted, and
     * the start of the last window reported per port (a window is reported once: a flow that arrives after its
     * window was reported, from a slow partition, must not reopen it and repeat the alert under the same id).
     */
    record ServerState(Map<Integer, RefusalWindow> refusals, Map<Integer, Long> lastAcceptedMicros,
                       Map<Integer, Long> reportedWindowMicros) {
        ServerState() {
            this(new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
        }
    }

    record RefusalWindow(long startMicros, long firstMicros, long lastMicros, long attempts, Set<String> clients,
                         Set<String> observedBy, List<Seen> evidence) {
        static RefusalWindow opening(long startMicros, FlowRecord flow) {
            return new RefusalWindow(startMicros, flow.getFirstSeenMicros(), flow.getLastSeenMicros(), 0, Set.of(),
                    Set.of(), List.of());
        }

        RefusalWindow withAttempt(FlowRecord flow, List<VantageView> refusedAt) {
            Set<String> allClients = new TreeSet<>(clients);
            allClients.add(flow.getClient());
            Set<String> allObservers = new TreeSet<>(observedBy);
            refusedAt.forEach(view -> allObservers.add(view.getHost()));
            // The earliest refusals in capture order, not the first to arrive: closed flows reach this stage from
            // every flow task, in an order that depends on how far each task is (several processors, a replay).
            List<Seen> lines = new ArrayList<>(evidence);
            VantageView view = refusedAt.get(0);
            lines.add(new Seen(view.getHost(), view.getIface(), view.getFirstSeenMicros(),
                    endpoint(flow.getClient(), flow.getClientPort()) + " > "
                            + endpoint(flow.getServer(), flow.getServerPort()) + ": SYN answered by RST, history "
                            + view.getHistory()));
            lines.sort(EVIDENCE_ORDER);
            if (lines.size() > MAX_EVIDENCE) {
                lines.subList(MAX_EVIDENCE, lines.size()).clear();
            }
            return new RefusalWindow(startMicros, Math.min(firstMicros, flow.getFirstSeenMicros()),
                    Math.max(lastMicros, flow.getLastSeenMicros()), attempts + 1, allClients, allObservers, lines);
        }
    }

    /** One line of evidence as a vantage saw it. */
    record Seen(String host, String iface, long tsMicros, String line) {}

    public ConnectionRefusedDetector(NetworkTopology topology, ProcessorConfig config) {
        this.topology = topology;
        this.config = config;
        this.flowCloseDelayMicros = ConnectionTimeouts.from(config).resetDelay() + config.clockSkewMicros()
                + FLOW_CLOSE_SLACK_MICROS;
    }

    @Override
    public Set<String> types() {
        return Set.of(TYPE);
    }

    @Override
    public List<StoreBuilder<?>> stores() {
        return List.of(ServiceDetector.store(SERVICES_STORE, Serdes.Bytes(), Serdes.ByteArray()));
    }

    @Override
    public void init(ProcessorContext<?, ?> context, Consumer<Alert> alerts) {
        this.services = context.getStateStore(SERVICES_STORE);
        this.alerts = alerts;
    }

    /** A closed TCP flow, keyed by its server address. */
    @Override
    public void onFlow(byte[] serverKey, FlowRecord flow) {
        if (flow.getProtocol() != FlowKey.TCP) {
            return;
        }
        Bytes server = Bytes.wrap(serverKey);
        List<VantageView> refusedAt = flow.getVantages().stream().filter(v -> "REJ".equals(v.getConnState())).toList();
        boolean accepted = flow.getVantages().stream().anyMatch(ConnectionRefusedDetector::completedHandshake);
        if (refusedAt.isEmpty() && !accepted) {
            return;
        }
        ServerState state = load(server);
        if (accepted) {
            state.lastAcceptedMicros().merge(flow.getServerPort(), flow.getFirstSeenMicros(), Math::max);
        }
        if (!refusedAt.isEmpty()) {
            long window = config.refusalWindowMicros();
            long windowStart = Math.floorDiv(flow.getFirstSeenMicros(), window) * window;
            Long reported = state.reportedWindowMicros().get(flow.getServerPort());
            if (reported != null && windowStart <= reported) {
                if (lateFlows++ == 0) {
                    LOG.warn("a refused flow to {}:{} arrived after its window was reported; not counted (further ones not logged)",
                            flow.getServer(), flow.getServerPort());
                }
                save(server, state);
                return;
            }
            RefusalWindow open = state.refusals().get(flow.getServerPort());
            if (open != null && open.startMicros() != windowStart) {
                emit(server, flow.getServerPort(), open, state);
                open = null;
            }
            if (open == null) {
                open = RefusalWindow.opening(windowStart, flow);
            }
            state.refusals().put(flow.getServerPort(), open.withAttempt(flow, refusedAt));
        }
        save(server, state);
    }

    private static boolean completedHandshake(VantageView view) {
        String history = view.getHistory();
        return switch (view.getConnState()) {
            case "S1", "SF", "S2", "S3", "RSTO", "RSTR" -> history.contains("S") && history.contains("h");
            default -> false;
        };
    }

    /** Reports the windows that the watermark {@code nowMicros} has closed (all of them when the input ended). */
    @Override
    public void judge(long nowMicros, boolean inputEnded) {
        List<KeyValue<Bytes, byte[]>> all = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> iterator = services.all()) {
            iterator.forEachRemaining(all::add);
        }
        for (KeyValue<Bytes, byte[]> entry : all) {
            ServerState state = decode(entry.value);
            boolean changed = false;
            for (Integer port : new ArrayList<>(state.refusals().keySet())) {
                RefusalWindow window = state.refusals().get(port);
                if (inputEnded || window.startMicros() + config.refusalWindowMicros() + flowCloseDelayMicros <= nowMicros) {
                    emit(entry.key, port, window, state);
                    changed = true;
                }
            }
            long horizon = nowMicros - config.acceptingLookbackMicros() - config.refusalWindowMicros();
            changed |= !inputEnded && state.lastAcceptedMicros().values().removeIf(last -> last < horizon);
            changed |= !inputEnded && state.reportedWindowMicros().values().removeIf(start -> start < horizon);
            if (changed) {
                save(entry.key, state);
            }
        }
    }

    private void emit(Bytes server, int port, RefusalWindow window, ServerState state) {
        state.refusals().remove(port);
        state.reportedWindowMicros().merge(port, window.startMicros(), Math::max);
        String serverIp = Addresses.ip(server.get());
        String service = endpoint(serverIp, port);
        List<Integer> accepting = state.lastAcceptedMicros().entrySet().stream()
                .filter(e -> e.getKey() != port && e.getValue() >= window.startMicros() - config.acceptingLookbackMicros())
                .map(Map.Entry::getKey).toList();
        String host = topology.locate(server.get(), port).map(location -> location.host().name()).orElse(null);
        String summary = String.format("%s refused %d connection attempt%s from %d client%s between %s and %s%s.",
                service, window.attempts(), window.attempts() == 1 ? "" : "s", window.clients().size(),
                window.clients().size() == 1 ? "" : "s", Times.iso(window.firstMicros()), Times.iso(window.lastMicros()),
                accepting.isEmpty() ? "" : "; the same server accepts connections on port" + (accepting.size() == 1 ? " " : "s ")
                        + ports(accepting));
        String hint = accepting.isEmpty()
                ? "Nothing listens on port " + port + " of " + serverIp + " (or a firewall rejects with RST): check that "
                        + "the service runs and listens on that address (`ss -ltnp 'sport = :" + port + "'`), or fix the "
                        + "clients' configured port."
                : "The service seems to have moved to port" + (accepting.size() == 1 ? " " : "s ") + ports(accepting)
                        + ": point the clients there (their configuration still says " + port + "), or make the "
                        + "service listen on " + port + " again.";
        List<Evidence> evidence = window.evidence().stream().map(seen -> Evidence.newBuilder().setHost(seen.host())
                .setIface(seen.iface()).setTsMicros(seen.tsMicros()).setLine(seen.line()).build()).toList();
        Alert alert = Alert.newBuilder()
                .setId(AlertIds.of(TYPE, window.startMicros(), service))
                .setType(TYPE)
                .setSeverity(config.severity(TYPE))
                .setHost(host)
                .setServer(service)
                .setObservedBy(List.copyOf(window.observedBy()))
                .setFirstSeenMicros(window.firstMicros())
                .setLastSeenMicros(window.lastMicros())
                .setCount(window.attempts())
                .setDistinctClients((long) window.clients().size())
                .setAcceptingPorts(accepting)
                .setSummary(summary)
                .setHint(hint)
                .setEvidence(evidence)
                .build();
        alerts.accept(alert);
    }

    private static String ports(List<Integer> ports) {
        return ports.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "));
    }

    private static String endpoint(String ip, int port) {
        return Addresses.endpoint(Addresses.parse(ip), port);
    }

    private ServerState load(Bytes server) {
        byte[] stored = services.get(server);
        return stored == null ? new ServerState() : decode(stored);
    }

    private void save(Bytes server, ServerState state) {
        if (state.refusals().isEmpty() && state.lastAcceptedMicros().isEmpty() && state.reportedWindowMicros().isEmpty()) {
            services.delete(server);
            return;
        }
        services.put(server, JsonState.encode(state));
    }

    private static ServerState decode(byte[] bytes) {
        ServerState state = JsonState.decode(bytes, ServerState.class);
        return new ServerState(new TreeMap<>(state.refusals()), new TreeMap<>(state.lastAcceptedMicros()),
                new TreeMap<>(state.reportedWindowMicros() == null ? Map.of() : state.reportedWindowMicros()));
    }
}
