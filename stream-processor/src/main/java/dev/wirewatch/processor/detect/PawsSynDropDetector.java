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
import dev.wirewatch.schemas.AvroSerde;
import dev.wirewatch.schemas.FlowKey;
import dev.wirewatch.schemas.Times;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * PAWS_SYN_DROP (service stage): a server silently drops SYNs from one source address whose TCP timestamp (TSval)
 * is older than that of the connection it last accepted from that address, while it answers other SYNs from it.
 * That is PAWS applied to new connections per peer host (tcp_tw_recycle, or a middlebox doing the same): clients
 * behind one NAT address each carry their own timestamp clock. Answered SYNs never alert, however their TSvals jump
 * (modern kernels give every connection a random TSval offset).
 *
 * <p>Because TSvals are random per connection today, an unrelated drop (a firewall, a full accept queue) is older
 * than the last accepted TSval half of the time. So the evidence must fit PAWS as a whole: the dropped SYN went to a
 * port that answered the same address in the {@value #PAWS_WINDOW_SECONDS} seconds before (the window in which the
 * kernel trusts a peer's last timestamp, TCP_PAWS_MSL), every SYN answered there in that window was newer than the
 * one answered before it (a server enforcing PAWS accepts nothing older), and the drop is older than the last one.
 *
 * <p>Read from the server host's own vantage where the topology places it (else the first that saw the SYN). An
 * unanswered connection is judged once the low watermark has passed its last SYN by the delay with which closed flows
 * arrive (or the input ended): by then every accepted connection that had ended by that SYN is here. It comes from
 * its UNANSWERED_SYN finding ({@link #hold}), held until then, so PAWS_SYN_DROP comes seconds after the last SYN,
 * not after the SYN attempt window; when PAWS explains it, the finding goes out as {@code info} with {@code
 * explained_by} (one fault, one alert), else as found — also when the chain of accepted connections is too short to
 * tell PAWS from chance ({@link #EXPLAINS_FROM_CHAIN}), or the server's kernel gave another reason for the drop
 * ({@code drop_reason}, sensor --drop-reasons): then the timestamps only look like PAWS. A connection without a finding (none was made, or the
 * processor started after it) is judged when its closed flow comes, as is one whose finding PAWS did not explain:
 * an accepted connection still open at its last SYN may have closed since, and the alert then names the
 * UNANSWERED_SYN that went out before.
 */
public final class PawsSynDropDetector implements ServiceDetector {
    public static final String TYPE = "PAWS_SYN_DROP";
    public static final String SOURCES_STORE = "paws-sources";
    /** When each source's unanswered connections are due to be judged: time first, so a range finds the due ones. */
    public static final String DUE_STORE = "paws-due";
    /** How often sources with nothing due are swept for accepted connections past their keeping. */
    private static final long SWEEP_EVERY_MICROS = 60_000_000;
    static final long PAWS_WINDOW_SECONDS = 60;
    private static final long PAWS_WINDOW_MICROS = PAWS_WINDOW_SECONDS * 1_000_000;
    /**
     * PAWS explains an UNANSWERED_SYN (one fault, one alert) on a chain of at least this many accepted connections.
     * Random per-connection TSvals fit a chain of k and a drop behind it with probability 1 / ((k - 1)! (k + 1)): half
     * the time for one accepted connection, so a firewall drop after one answered connection would pass for PAWS;
     * 1 in 8 for three. With a shorter chain both alerts stay warnings.
     */
    static final int EXPLAINS_FROM_CHAIN = 3;
    /** Held findings, by id, until their connection is judged. */
    public static final String HELD_STORE = "paws-held-findings";
    /**
     * An accepted connection is kept until every unanswered one in the PAWS window after it has been judged: an
     * unanswered connection closes up to the SYN attempt window (syn-attempt-window) after its last SYN; this is
     * the rest (the PAWS window, the SYN retries before the last one, margin): 300 s in all with the default 130 s.
     */
    private static final long KEEP_ACCEPTED_BEYOND_ATTEMPT_MICROS = 170_000_000;

    private final NetworkTopology topology;
    private final ProcessorConfig config;
    /**
     * A connection that ended by some time has closed in its flow partition, and reached this stage, once the low
     * watermark is this far past that time: the longest close delay, plus the clock skew its expiry allows and the
     * skew between the vantage that saw it end and the one that saw the unanswered SYN.
     */
    private final long closedFlowDelayMicros;
    /** How long an accepted connection is kept ({@link #KEEP_ACCEPTED_BEYOND_ATTEMPT_MICROS}). */
    private final long keepAcceptedMicros;
    /** How long a judged connection waits for its closed flow (which comes up to the SYN attempt window later). */
    private final long keepJudgedMicros;
    private KeyValueStore<String, byte[]> sources;
    private KeyValueStore<Bytes, byte[]> due;
    private KeyValueStore<String, Alert> held;
    private Consumer<Alert> alerts;
    /**
     * The watermark of the previous judgement. Forgetting old accepted connections is monotone, so a source pruned at
     * this watermark when it is next read holds what pruning it at every watermark since would have left: only the
     * sources with something due are read at each watermark, not every source.
     */
    private long prunedAt = Long.MIN_VALUE;
    private long sweptAt;

    /** A connection the server accepted: when, to which port, and the TSval of its SYN. */
    record Accepted(long firstSeenMicros, int serverPort, long tsVal) {}

    /**
     * A connection whose SYNs the server left unanswered, waiting to be judged. {@code flowFirstSeenMicros} tells it
     * from another connection on the same ports; {@code heldFinding} is the id of its UNANSWERED_SYN held in {@link
     * #HELD_STORE}, {@code reportedFinding} that of one that went out before (else null).
     */
    record Unanswered(String client, int clientPort, String server, int serverPort, long firstSeenMicros,
                      long lastSeenMicros, long tsVal, int syns, String host, String iface, String communityId,
                      List<String> observedBy, long flowFirstSeenMicros, String heldFinding, String reportedFinding) {
        boolean sameConnection(int otherClientPort, int otherServerPort, long otherFlowFirstSeenMicros) {
            return clientPort == otherClientPort && serverPort == otherServerPort
                    && flowFirstSeenMicros == otherFlowFirstSeenMicros;
        }

        Unanswered withFindings(String held, String reported) {
            return new Unanswered(client, clientPort, server, serverPort, firstSeenMicros, lastSeenMicros, tsVal, syns,
                    host, iface, communityId, observedBy, flowFirstSeenMicros, held, reported);
        }
    }

    /** A connection judged from its finding, until its closed flow comes: was it PAWS, which finding went out. */
    record Judged(int clientPort, int serverPort, long flowFirstSeenMicros, long lastSeenMicros, String finding,
                  boolean paws) {}

    /** What one source address did towards one server address. */
    record Source(List<Accepted> accepted, List<Unanswered> unanswered, List<Judged> judged) {}

    public PawsSynDropDetector(NetworkTopology topology, ProcessorConfig config) {
        this.topology = topology;
        this.config = config;
        ConnectionTimeouts timeouts = ConnectionTimeouts.from(config);
        this.closedFlowDelayMicros = Math.max(timeouts.closeDelay(), timeouts.resetDelay())
                + 2 * config.clockSkewMicros();
        this.keepAcceptedMicros = config.synAttemptWindowMicros() + KEEP_ACCEPTED_BEYOND_ATTEMPT_MICROS;
        this.keepJudgedMicros = config.synAttemptWindowMicros() + keepAcceptedMicros;
    }

    @Override
    public Set<String> types() {
        return Set.of(TYPE);
    }

    @Override
    public List<StoreBuilder<?>> stores() {
        return List.of(ServiceDetector.store(SOURCES_STORE, Serdes.String(), Serdes.ByteArray()),
                ServiceDetector.store(DUE_STORE, Serdes.Bytes(), Serdes.ByteArray()),
                ServiceDetector.store(HELD_STORE, Serdes.String(), AvroSerde.of(Alert.class)));
    }

    @Override
    public void init(ProcessorContext<?, ?> context, Consumer<Alert> alerts) {
        this.sources = context.getStateStore(SOURCES_STORE);
        this.due = context.getStateStore(DUE_STORE);
        this.held = context.getStateStore(HELD_STORE);
        this.alerts = alerts;
    }

    /**
     * An UNANSWERED_SYN finding with its flow as it stood: held, and true, when the connection could be a PAWS drop
     * (the SYN carried a TSval and nothing but SYNs went either way); false when it cannot, and then the caller
     * reports it at once.
     */
    @Override
    public boolean claims(Alert finding, FlowRecord flow) {
        Optional<Unanswered> candidate = unanswered(flow);
        if (candidate.isEmpty()) {
            return false;
        }
        String key = flow.getServer() + "|" + flow.getClient();
        Source source = load(key);
        Unanswered dropped = candidate.get().withFindings(finding.getId(), null);
        held.put(finding.getId(), finding);
        due.put(dueKey(dropped.lastSeenMicros() + closedFlowDelayMicros, key), new byte[0]);
        source.unanswered().add(dropped);
        save(key, source);
        return true;
    }

    /** A closed TCP flow. */
    @Override
    public void onFlow(byte[] server, FlowRecord flow) {
        if (flow.getProtocol() != FlowKey.TCP) {
            return;
        }
        Optional<VantageView> seen = serverSide(flow);
        if (seen.isEmpty() || seen.get().getSynTsVal() == null) {
            return;
        }
        VantageView view = seen.get();
        String key = flow.getServer() + "|" + flow.getClient();
        if (view.getSynAnswered()) {
            Source source = load(key);
            source.accepted().add(new Accepted(view.getFirstSeenMicros(), flow.getServerPort(), view.getSynTsVal()));
            save(key, source);
            return;
        }
        Optional<Unanswered> candidate = unanswered(flow);
        if (candidate.isEmpty()) {
            return;
        }
        Source source = load(key);
        Unanswered dropped = candidate.get();
        if (source.unanswered().stream().anyMatch(waiting -> waiting.sameConnection(flow.getClientPort(),
                flow.getServerPort(), flow.getFirstSeenMicros()))) {
            return; // its finding waits to be judged
        }
        Optional<Judged> judged = source.judged().stream().filter(done -> done.clientPort() == flow.getClientPort()
                && done.serverPort() == flow.getServerPort() && done.flowFirstSeenMicros() == flow.getFirstSeenMicros())
                .findFirst();
        if (judged.isPresent()) {
            source.judged().remove(judged.get());
            if (judged.get().paws()) {
                save(key, source);
                return; // reported already
            }
            dropped = dropped.withFindings(null, judged.get().finding());
        }
        due.put(dueKey(dropped.lastSeenMicros() + closedFlowDelayMicros, key), new byte[0]);
        source.unanswered().add(dropped);
        save(key, source);
    }

    /** The unanswered connection of a flow read from its server side, if it can be one PAWS dropped. */
    private Optional<Unanswered> unanswered(FlowRecord flow) {
        Optional<VantageView> seen = serverSide(flow);
        if (seen.isEmpty() || seen.get().getSynTsVal() == null || seen.get().getSynAnswered()
                || seen.get().getOrigPackets() != seen.get().getSynCount() || seen.get().getRespPackets() != 0) {
            return Optional.empty();
        }
        VantageView view = seen.get();
        return Optional.of(new Unanswered(flow.getClient(), flow.getClientPort(), flow.getServer(),
                flow.getServerPort(), view.getFirstSeenMicros(), view.getLastSeenMicros(), view.getSynTsVal(),
                view.getSynCount(), view.getHost(), view.getIface(), flow.getCommunityId(),
                flow.getVantages().stream().map(VantageView::getHost).distinct().toList(), flow.getFirstSeenMicros(),
                null, null));
    }

    /** The server host's view of the flow, else the first vantage that saw the originator's SYN. */
    private Optional<VantageView> serverSide(FlowRecord flow) {
        Optional<String> serverHost = topology.locate(Addresses.parse(flow.getServer()), flow.getServerPort())
                .map(location -> location.host().name());
        List<VantageView> withSyn = flow.getVantages().stream().filter(view -> view.getSynCount() > 0).toList();
        return withSyn.stream().filter(view -> serverHost.isPresent() && view.getHost().equals(serverHost.get()))
                .findFirst().or(() -> withSyn.stream().findFirst());
    }

    /** Whether an unanswered connection is due to be judged at this watermark. */
    @Override
    public boolean dueBy(long watermarkMicros) {
        try (KeyValueIterator<Bytes, byte[]> iterator = due.range(null, dueKey(watermarkMicros + 1, ""))) {
            return iterator.hasNext();
        }
    }

    /** Judges the unanswered connections the watermark has passed (all of them when the input ended). */
    @Override
    public void judge(long watermarkMicros, boolean inputEnded) {
        List<String> keys = new ArrayList<>();
        List<Bytes> done = new ArrayList<>();
        if (inputEnded) {
            try (KeyValueIterator<String, byte[]> iterator = sources.all()) {
                iterator.forEachRemaining(entry -> keys.add(entry.key));
            }
            try (KeyValueIterator<Bytes, byte[]> iterator = due.all()) {
                iterator.forEachRemaining(entry -> done.add(entry.key));
            }
        } else {
            try (KeyValueIterator<Bytes, byte[]> iterator = due.range(null, dueKey(watermarkMicros + 1, ""))) {
                iterator.forEachRemaining(entry -> {
                    done.add(entry.key);
                    keys.add(sourceOf(entry.key));
                });
            }
        }
        done.forEach(due::delete);
        keys.stream().distinct().forEach(key -> judge(key, load(key), watermarkMicros, inputEnded));
        if (!inputEnded) {
            prunedAt = Math.max(prunedAt, watermarkMicros);
        }
        if (!inputEnded && watermarkMicros - sweptAt >= SWEEP_EVERY_MICROS) {
            sweptAt = watermarkMicros;
            List<String> all = new ArrayList<>();
            try (KeyValueIterator<String, byte[]> iterator = sources.all()) {
                iterator.forEachRemaining(entry -> all.add(entry.key));
            }
            all.forEach(key -> load(key)); // loading prunes and saves
        }
    }

    private void judge(String key, Source source, long watermarkMicros, boolean inputEnded) {
        List<Unanswered> waiting = new ArrayList<>();
        List<Judged> judged = new ArrayList<>(source.judged());
        for (Unanswered dropped : source.unanswered()) {
            if (!inputEnded && dropped.lastSeenMicros() + closedFlowDelayMicros > watermarkMicros) {
                waiting.add(dropped);
                continue;
            }
            Optional<List<Accepted>> chain = pawsChain(source, dropped);
            Optional<Alert> paws = chain.map(accepted -> alert(dropped, accepted.get(accepted.size() - 1), source));
            paws.ifPresent(alerts);
            if (dropped.heldFinding() != null) {
                Alert finding = held.get(dropped.heldFinding());
                held.delete(dropped.heldFinding());
                // Short chains and the server's kernel blaming something else leave the SYNs two readings.
                boolean explains = chain.isPresent() && chain.get().size() >= EXPLAINS_FROM_CHAIN && finding != null
                        && (finding.getDropReason() == null || finding.getDropReason().equals(KernelDropReasons.PAWS));
                if (finding != null) {
                    alerts.accept(paws.filter(cause -> explains).map(cause -> Explained.by(finding, cause,
                            "the server dropped these SYNs by PAWS, as older than a connection it had just accepted "
                                    + "from the same address")).orElse(finding));
                }
                if (!inputEnded) {
                    judged.add(new Judged(dropped.clientPort(), dropped.serverPort(), dropped.flowFirstSeenMicros(),
                            dropped.lastSeenMicros(), finding == null ? null : finding.getId(), paws.isPresent()));
                }
            }
        }
        List<Accepted> recent = inputEnded ? source.accepted() : recent(source, watermarkMicros);
        List<Judged> pending = inputEnded ? List.of() : awaited(judged, watermarkMicros);
        if (waiting.size() != source.unanswered().size() || recent.size() != source.accepted().size()
                || !pending.equals(source.judged())) {
            save(key, new Source(new ArrayList<>(recent), waiting, new ArrayList<>(pending)));
        }
    }

    private List<Accepted> recent(Source source, long watermarkMicros) {
        return source.accepted().stream()
                .filter(accepted -> accepted.firstSeenMicros() >= watermarkMicros - keepAcceptedMicros).toList();
    }

    /** The judged connections whose closed flow may still come (one that never does is forgotten in time). */
    private List<Judged> awaited(List<Judged> judged, long watermarkMicros) {
        return judged.stream().filter(done -> done.lastSeenMicros() >= watermarkMicros - keepJudgedMicros).toList();
    }

    /** Due key: the time big-endian with its sign flipped (byte order is time order), then the source key. */
    private static Bytes dueKey(long micros, String key) {
        byte[] name = key.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES + name.length).putLong(micros ^ Long.MIN_VALUE).put(name).array());
    }

    private static String sourceOf(Bytes dueKey) {
        byte[] bytes = dueKey.get();
        return new String(bytes, Long.BYTES, bytes.length - Long.BYTES, StandardCharsets.UTF_8);
    }

    /**
     * The connections accepted on the drop's port from the same address in the window before it, oldest first, if
     * they form a PAWS chain (each newer than the one before) that the drop falls behind; the last is the newer one.
     */
    private static Optional<List<Accepted>> pawsChain(Source source, Unanswered dropped) {
        List<Accepted> window = source.accepted().stream()
                .filter(accepted -> accepted.serverPort() == dropped.serverPort()
                        && accepted.firstSeenMicros() < dropped.firstSeenMicros()
                        && accepted.firstSeenMicros() >= dropped.firstSeenMicros() - PAWS_WINDOW_MICROS)
                .sorted(Comparator.comparingLong(Accepted::firstSeenMicros))
                .toList();
        for (int i = 1; i < window.size(); i++) {
            if (!newer(window.get(i).tsVal(), window.get(i - 1).tsVal())) {
                return Optional.empty(); // the server accepted an older TSval: it does not enforce PAWS per host
            }
        }
        return window.isEmpty() || !newer(window.get(window.size() - 1).tsVal(), dropped.tsVal())
                ? Optional.empty() : Optional.of(window);
    }

    /** TSvals compare as 32-bit serial numbers (RFC 7323). */
    private static boolean newer(long a, long b) {
        return (int) (a - b) > 0;
    }

    private Alert alert(Unanswered dropped, Accepted accepted, Source source) {
        String client = Addresses.endpoint(Addresses.parse(dropped.client()), dropped.clientPort());
        String server = Addresses.endpoint(Addresses.parse(dropped.server()), dropped.serverPort());
        long answeredFromSource = source.accepted().size();
        String summary = String.format("%s silently dropped %d SYN%s from %s (TSval %d) %s after accepting a connection "
                        + "from the same address with the newer TSval %d; it accepted %d connection%s from %s in all: "
                        + "PAWS on new connections, with several hosts behind that address.%s", server, dropped.syns(),
                dropped.syns() == 1 ? "" : "s", client, dropped.tsVal(),
                Times.seconds(dropped.firstSeenMicros() - accepted.firstSeenMicros()), accepted.tsVal(),
                answeredFromSource, answeredFromSource == 1 ? "" : "s", dropped.client(),
                dropped.reportedFinding() == null ? "" : " These are the SYNs of UNANSWERED_SYN "
                        + dropped.reportedFinding() + ", reported before the accepted connection had closed.");
        String hint = "On the server (Linux before 4.12) set net.ipv4.tcp_tw_recycle=0 (it breaks clients behind NAT); "
                + "check for a load balancer or firewall that enforces per-host TCP timestamps. Disabling TCP "
                + "timestamps on the clients (net.ipv4.tcp_timestamps=0) only works around it.";
        String host = topology.locate(Addresses.parse(dropped.server()), dropped.serverPort()).map(location -> location.host().name())
                .orElse(dropped.host());
        return Alert.newBuilder()
                .setId(AlertIds.of(TYPE, dropped.firstSeenMicros(), client, server))
                .setType(TYPE)
                .setSeverity(config.severity(TYPE))
                .setHost(host)
                .setClient(client)
                .setServer(server)
                .setClientIp(dropped.client())
                .setObservedBy(dropped.observedBy())
                .setFirstSeenMicros(dropped.firstSeenMicros())
                .setLastSeenMicros(dropped.lastSeenMicros())
                .setCount(dropped.syns())
                .setCommunityId(dropped.communityId())
                .setSummary(summary)
                .setHint(hint)
                .setEvidence(List.of(
                        Evidence.newBuilder().setHost(dropped.host()).setIface(dropped.iface())
                                .setTsMicros(accepted.firstSeenMicros())
                                .setLine(dropped.client() + " > " + server + ": SYN TSval " + accepted.tsVal() + " answered")
                                .build(),
                        Evidence.newBuilder().setHost(dropped.host()).setIface(dropped.iface())
                                .setTsMicros(dropped.firstSeenMicros())
                                .setLine(client + " > " + server + ": " + dropped.syns() + " SYN, TSval " + dropped.tsVal()
                                        + ", no answer")
                                .build()))
                .build();
    }

    /** The source as pruning at every watermark so far would have left it (and stored so, when that changed it). */
    private Source load(String key) {
        byte[] stored = sources.get(key);
        if (stored == null) {
            return new Source(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
        Source source = decode(stored);
        if (prunedAt == Long.MIN_VALUE) {
            return source;
        }
        List<Accepted> recent = recent(source, prunedAt);
        List<Judged> awaited = awaited(source.judged(), prunedAt);
        if (recent.size() == source.accepted().size() && awaited.size() == source.judged().size()) {
            return source;
        }
        Source pruned = new Source(new ArrayList<>(recent), source.unanswered(), new ArrayList<>(awaited));
        save(key, pruned);
        return pruned;
    }

    private void save(String key, Source source) {
        if (source.accepted().isEmpty() && source.unanswered().isEmpty() && source.judged().isEmpty()) {
            sources.delete(key);
            return;
        }
        sources.put(key, JsonState.encode(source));
    }

    /** A stored source; one stored before judged connections were kept has none. */
    private static Source decode(byte[] bytes) {
        Source source = JsonState.decode(bytes, Source.class);
        return new Source(new ArrayList<>(source.accepted()), new ArrayList<>(source.unanswered()),
                source.judged() == null ? new ArrayList<>() : new ArrayList<>(source.judged()));
    }
}
