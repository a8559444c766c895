package dev.wirewatch.processor.flow;

import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.metrics.ProcessorMetrics;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.processor.service.ProgressMarks;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.FlowActivity;
import dev.wirewatch.record.FlowBatch;
import dev.wirewatch.record.FlowFinding;
import dev.wirewatch.record.FlowRecord;
import dev.wirewatch.record.KernelDrop;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.Tick;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.FlowBatches;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-flow state for every vantage. Reads PacketEvents and Ticks from ww.packets (key = canonical flow key),
 * keeps one {@link ConnectionView} per vantage, and on stream-time timers asks the flow detectors and closes
 * flows: a closed flow becomes a {@link FlowRecord} on ww.flows and, keyed by server address, input for the
 * service stage. Ticks keep stream time moving and tell which sensors are alive.
 */
public final class FlowProcessor implements Processor<byte[], SpecificRecord, Object, SpecificRecord> {
    public static final String FLOWS_STORE = "flows";
    public static final String TIMERS_STORE = "flow-timers";
    public static final String SENSORS_STORE = "sensor-liveness";

    /** Child names: where this processor's output goes. */
    public static final String TO_FLOWS = "flows-out";
    public static final String TO_ALERTS = "flow-alerts-out";
    public static final String TO_SERVICE_STAGE = "by-server-out";
    /** The ARP stage: ticks go there. */
    public static final String TO_ADDRESSES = "addresses";
    /** The node that watches the recorded ticks for a sensor falling silent. */
    public static final String TO_SILENCE_WATCH = "sensor-silence";

    private static final Logger LOG = LoggerFactory.getLogger(FlowProcessor.class);
    /** Flows due this soon close by themselves: over the budget, the longest-idle beyond it are forgotten first. */
    private static final long EVICTION_HORIZON_MICROS = 300_000_000;
    /** At most this many flows forgotten per stream-time second, so one punctuation stays short. */
    private static final int EVICTIONS_PER_PASS = 10_000;

    private final NetworkTopology topology;
    private final ProcessorConfig config;
    private final FlowDeadlines deadlines;
    private final ConnectionBudget budget;
    private final ProcessorMetrics metrics;
    private final List<FlowDetector> detectors;

    private ProcessorContext<Object, SpecificRecord> context;
    private KeyValueStore<Bytes, FlowState> flows;
    private FlowTimers timers;
    private ConnectionBudget.Account connections;
    private ProcessorMetrics.TaskFigures figures;
    private SensorTicks sensors;
    private LaggingVantages lagging;
    private boolean flushed;
    /**
     * This stage's clock: the latest capture time among the ww.packets records it has processed. Not the task's
     * stream time, which ww.l2 moves too: a consumer that fetched ww.l2 ahead of ww.packets would otherwise judge
     * flows before the second vantage's packets and ticks of the same moment arrive (seen cold-starting two
     * processors: NO_ANSWER for DROPPED, a refusal counted twice, coverage gaps that were not).
     */
    private long packetTimeMs = -1;
    /** The earliest capture time any sensor ticked at in this partition ({@link Absent#NONE}: none yet). */
    private long firstHeardMicros = Absent.NONE;
    private long orphanActivities;
    private long untranslatedKeys;
    private long orphanRedirects;
    private long evicted;

    /**
     * @param detectors the registry's flow detectors, in the order they are asked
     * @param budget    the connections the whole instance keeps, shared with the other tasks' flow processors
     */
    public FlowProcessor(NetworkTopology topology, ProcessorConfig config, List<FlowDetector> detectors,
                         ConnectionBudget budget, ProcessorMetrics metrics) {
        this.topology = topology;
        this.config = config;
        this.detectors = detectors;
        this.budget = budget;
        this.metrics = metrics;
        this.deadlines = new FlowDeadlines(detectors, config);
    }

    @Override
    public void init(ProcessorContext<Object, SpecificRecord> context) {
        this.context = context;
        this.flows = context.getStateStore(FLOWS_STORE);
        this.timers = new FlowTimers(context.getStateStore(TIMERS_STORE));
        this.sensors = new SensorTicks(context.getStateStore(SENSORS_STORE));
        this.packetTimeMs = sensors.resumeClockMs();
        this.firstHeardMicros = sensors.firstHeardMicros();
        this.lagging = new LaggingVantages(topology, sensors::liveness, config.laggingSensorWaitMicros(),
                config.sensorSilenceMicros(), () -> firstHeardMicros);
        long restored = timers.armed();
        this.connections = budget.open(context.metrics(), context.taskId().toString(), restored);
        this.figures = metrics.openTask(context.taskId().toString(), restored == 0 ? 0 : restoredViews(), timers::armed);
        context.schedule(Duration.ofSeconds(1), PunctuationType.STREAM_TIME, streamTimeMs -> fireDueTimers(packetTimeMs));
    }

    @Override
    public void close() {
        if (connections != null) {
            connections.close();
        }
        if (figures != null) {
            figures.close();
        }
    }

    /** The connection views a restored flow store holds (read once, when the task opens with flows). */
    private long restoredViews() {
        long views = 0;
        try (KeyValueIterator<Bytes, FlowState> iterator = flows.all()) {
            while (iterator.hasNext()) {
                views += iterator.next().value.views().size();
            }
        }
        return views;
    }

    @Override
    public void process(Record<byte[], SpecificRecord> record) {
        packetTimeMs = Math.max(packetTimeMs, record.timestamp());
        if (record.value() instanceof Tick tick) {
            onTick(tick);
        } else if (record.value() instanceof PacketEvent packet) {
            onPacket(record.key(), packet);
        } else if (record.value() instanceof FlowActivity activity) {
            onActivity(record.key(), activity);
        } else if (record.value() instanceof FlowBatch batch) {
            onBatch(record.key(), batch);
        } else if (record.value() instanceof KernelDrop drop) {
            onKernelDrop(record.key(), drop);
        }
    }

    /** A flow's packets and summaries from one vantage, in one record: judged as if they had come one by one. */
    private void onBatch(byte[] keyBytes, FlowBatch batch) {
        FlowBatches.unpack(batch, item -> {
            if (item instanceof PacketEvent packet) {
                onPacket(keyBytes, packet);
            } else {
                onActivity(keyBytes, (FlowActivity) item);
            }
        });
    }

    /**
     * A host's kernel said why it dropped this flow's SYN (sensor --drop-reasons). The SYN came first from the same
     * sensor on the same partition, so the flow exists; if not (a processor started past it), there is nothing to tell.
     */
    private void onKernelDrop(byte[] keyBytes, KernelDrop drop) {
        Bytes key = Bytes.wrap(keyBytes);
        FlowState flow = flows.get(key);
        if (flow != null) {
            flow.droppedBy(drop.getHost(), drop.getReason());
            save(key, flow, flow.deadlineMicros());
        }
    }

    /**
     * A sensor's summary of steady traffic. Its connection exists: the sensor sends a flow's first packets, and
     * any packet after an idle second, in full. Should the view be gone all the same (a processor restarted from
     * a later offset), the summary is counted and dropped: it cannot start a connection.
     */
    private void onActivity(byte[] keyBytes, FlowActivity sensed) {
        FlowActivity activity = topology.nat().normalise(sensed);
        Bytes key = Bytes.wrap(keyBytes);
        FlowState flow = flows.get(key);
        Vantage vantage = new Vantage(activity.getHost(), activity.getIface());
        Bytes routed = HeldConnections.route(flows, key, flow, vantage, activity.getTsMicros(),
                config.clockSkewMicros(), held -> false);
        if (!routed.equals(key)) {
            key = routed;
            flow = flows.get(routed);
        }
        ConnectionView view = flow == null ? null : flow.view(vantage).orElse(null);
        if (view == null) {
            if (orphanActivities++ == 0) {
                LOG.warn("flow activity from {} for a connection it never opened (counted, dropped; further ones not logged)",
                        activity.getHost());
            }
            return;
        }
        flushed = false;
        view.observeActivity(activity);
        save(key, flow, deadlines.deadline(flow, activity.getTsMicros()));
    }

    private void onPacket(byte[] keyBytes, PacketEvent sensed) {
        if (sensed.getIcmp() != null && sensed.getIcmp().getQuoted() != null) {
            if (isRedirect(sensed)) {
                onRedirect(keyBytes, sensed);
            }
            return; // other ICMP errors about a flow do not change its state
        }
        checkTranslated(keyBytes, sensed);
        PacketEvent packet = topology.nat().normalise(sensed);
        flushed = false;
        Bytes key = Bytes.wrap(keyBytes);
        FlowState stored = flows.get(key);
        FlowState flow = stored == null ? new FlowState() : stored;
        if (stored == null) {
            connections.opened();
        }
        Vantage vantage = new Vantage(packet.getHost(), packet.getIface());
        Bytes routed = HeldConnections.route(flows, key, stored, vantage, packet.getTsMicros(),
                config.clockSkewMicros(), held -> held.startsNewConnection(packet));
        if (!routed.equals(key)) {
            key = routed;
            flow = flows.get(routed);
        }
        ConnectionView view = flow.view(vantage).orElse(null);
        if (view != null && view.startsNewConnection(packet)) {
            flow = retire(key, flow);
            connections.opened();
            view = null;
        }
        if (view == null) {
            flow.add(vantage, ConnectionView.start(packet));
            figures.viewsOpened(1);
        } else {
            view.observe(packet);
        }
        flow.redirect().ifPresent(watch -> watch.observe(vantage, packet, config));
        save(key, flow, deadlines.deadline(flow, packet.getTsMicros()));
    }

    /** An ICMP redirect (type 5) or ICMPv6 redirect (type 137, which quotes the packet in its redirected-header option). */
    private static boolean isRedirect(PacketEvent packet) {
        return packet.getIcmp().getType() == (packet.getIpVersion() == 4 ? 5 : 137);
    }

    /**
     * An ICMP redirect about a flow the host sends: the flow starts a watch of where the host's next packets go. A
     * redirect about a flow no sensor saw is counted and dropped: there is nothing to compare with.
     */
    private void onRedirect(byte[] keyBytes, PacketEvent redirect) {
        Bytes key = Bytes.wrap(keyBytes);
        FlowState flow = flows.get(key);
        if (flow == null) {
            if (orphanRedirects++ == 0) {
                LOG.info("ICMP redirect to {} about a flow no sensor saw (counted; not logged again)",
                        Addresses.ip(redirect.getDst()));
            }
            return;
        }
        flushed = false;
        flow.redirected(new Vantage(redirect.getHost(), redirect.getIface()), redirect);
        save(key, flow, deadlines.deadline(flow, redirect.getTsMicros()));
    }

    /**
     * A sensor that keys flows without the topology's NAT rules sends the server's private view of a translated
     * flow to another partition than its clients' public view: they cannot be joined. Counted, and said once.
     */
    private void checkTranslated(byte[] keyBytes, PacketEvent packet) {
        if (topology.nat().isEmpty() || Arrays.equals(keyBytes, topology.nat().key(packet).toBytes())) {
            return;
        }
        if (untranslatedKeys++ == 0) {
            LOG.warn("sensor {} keys flows without the topology's NAT rules: its view of translated flows cannot be "
                    + "joined with the other side's; start it with --topology (counted; not logged again)",
                    packet.getHost());
        }
    }

    private void onTick(Tick tick) {
        sensors.record(tick);
        // the earliest, as a restart reads it back from the store (ticks of a late sensor may be earlier)
        firstHeardMicros = firstHeardMicros == Absent.NONE ? tick.getTsMicros()
                : Math.min(firstHeardMicros, tick.getTsMicros());
        // The ARP stage and the silence watch share this partition's sensor ticks and stream time; they read the
        // liveness just recorded.
        context.forward(new Record<>(new byte[0], tick, packetTimeMs), TO_ADDRESSES);
        context.forward(new Record<>(new byte[0], tick, packetTimeMs), TO_SILENCE_WATCH);
        if (tick.getEndOfInput() && sensors.everyEnded() && !flushed) {
            flushAll();
            flushed = true;
            forwardTick(true);
        } else if (!tick.getEndOfInput()) {
            // Kafka Streams may run the stream-time punctuator only after many records: close what is due first,
            // so the progress passed on never runs ahead of flows this partition has yet to close.
            fireDueTimers(packetTimeMs);
            forwardTick(false);
        }
    }

    /** Passes stream time (and the end of input) on to the service stage, in every partition: a progress mark. */
    private void forwardTick(boolean endOfInput) {
        Tick mark = ProgressMarks.flowStage(context.taskId().partition(), packetTimeMs * 1000, endOfInput);
        context.forward(new Record<>(new byte[0], mark, packetTimeMs), TO_SERVICE_STAGE);
    }

    private void fireDueTimers(long streamTimeMs) {
        long now = streamTimeMs * 1000;
        for (FlowTimers.Due timer : timers.takeDue(now)) {
            Bytes key = timer.flowKey();
            FlowState flow = flows.get(key);
            if (flow == null) {
                continue;
            }
            if (flow.timerMicros() != timer.atMicros()) {
                continue; // not this flow's timer (left behind by an earlier state of it)
            }
            flow.timerMicros(Absent.NEVER);
            if (flow.deadlineMicros() > now) {
                save(key, flow, flow.deadlineMicros()); // the deadline moved on since the timer was armed
            } else {
                judge(key, flow, context(now, false, now));
            }
        }
        if (budget.excess() > 0) {
            evictLongestIdle(now);
        }
        connections.report();
        figures.streamTime(streamTimeMs);
    }

    /**
     * The instance keeps more connections than its budget: this task, for its share of the excess, forgets its
     * longest-idle connections (due beyond the near future, in deadline order; if too few, the soonest due), judged
     * with what there is as at the end of the input, so no verdict they owe is lost. A timer armed before the flow's
     * last packets is first moved to its real deadline: only then is the order the order of idleness.
     */
    private void evictLongestIdle(long now) {
        int wanted = connections.shareOfExcess(budget.excess(), EVICTIONS_PER_PASS);
        List<FlowTimers.Due> candidates = new ArrayList<>(timers.from(now + EVICTION_HORIZON_MICROS, 2 * wanted));
        if (candidates.size() < wanted) {
            candidates.addAll(timers.from(Long.MIN_VALUE, wanted - candidates.size()));
        }
        int done = 0;
        for (FlowTimers.Due candidate : candidates) {
            if (done == wanted) {
                break;
            }
            FlowState flow = flows.get(candidate.flowKey());
            if (flow == null || flow.timerMicros() != candidate.atMicros()) {
                continue;
            }
            if (flow.deadlineMicros() > candidate.atMicros()) {
                timers.disarm(candidate.atMicros(), candidate.flowKey());
                flow.timerMicros(Absent.NEVER);
                save(candidate.flowKey(), flow, flow.deadlineMicros());
                continue;
            }
            judge(candidate.flowKey(), flow, context(now, true, now));
            done++;
            connections.evicted();
            if (evicted++ == 0) {
                LOG.warn("over connection-budget ({} connections kept by this instance): forgetting the longest-idle "
                        + "ones before their idle timeout (counted on /metrics as "
                        + "kafka_stream_wirewatch_flow_connections_evicted_total; not logged again)", budget.kept());
            }
        }
    }

    /** Runs the flow's detectors at its deadline, then closes it or sets its next deadline. */
    private void judge(Bytes key, FlowState flow, DetectionContext detection) {
        boolean closing = detection.inputEnded() || deadlines.expiry(flow) <= detection.nowMicros()
                && !lagging.awaited(flow, deadlines.expiry(flow), detection.nowMicros());
        // A closing flow is judged with what there is, as at the end of the input.
        DetectionContext atEnd = closing && !detection.inputEnded()
                ? context(detection.nowMicros(), true, detection.nowMicros()) : detection;
        boolean askAgain = false;
        for (FlowDetector detector : detectors) {
            if (flow.settled(detector.type())) {
                continue;
            }
            Verdict verdict = detector.judge(flow, detector.settlesAtDue() ? detection : atEnd);
            if (verdict instanceof Verdict.Settled settled
                    && (settled.alert().isPresent() || detector.settlesAtDue())) {
                flow.markSettled(detector.type());
                settled.alert().ifPresent(alert -> forwardFinding(detector, flow, alert));
            }
            // Pending at or past its due time, it waits for another sensor's ticks; before it, its deadline comes.
            askAgain |= verdict instanceof Verdict.Pending && (detector.dueAtMicros(flow, config) <= detection.nowMicros()
                    || detector.overdue(flow));
        }
        if (closing) {
            close(key, flow);
        } else {
            long next = deadlines.deadline(flow, detection.nowMicros());
            long retry = detection.nowMicros() + 1_000_000; // a pending verdict waits for another sensor's ticks
            if (next <= detection.nowMicros()) {
                next = retry;
            }
            save(key, flow, askAgain ? Math.min(next, retry) : next);
        }
    }

    /** Alerts go out, or to the service stage, which completes them and keeps one alert per fault. */
    private void forwardFinding(FlowDetector detector, FlowState flow, Alert alert) {
        long timestampMs = alert.getLastSeenMicros() / 1000;
        switch (detector.handoff()) {
            case ALERT -> context.forward(new Record<>(alert.getId(), alert, timestampMs), TO_ALERTS);
            case SERVICE_STAGE -> context.forward(new Record<>(detector.serviceStageKey(flow, alert), alert, timestampMs),
                    TO_SERVICE_STAGE);
            case SERVICE_STAGE_WITH_FLOW -> context.forward(new Record<>(detector.serviceStageKey(flow, alert),
                    FlowFinding.newBuilder().setAlert(alert).setFlow(FlowRecords.of(flow)).build(), timestampMs),
                    TO_SERVICE_STAGE);
        }
    }

    private void flushAll() {
        long end = sensors.captureEnd();
        List<KeyValue<Bytes, FlowState>> all = new ArrayList<>();
        try (KeyValueIterator<Bytes, FlowState> iterator = flows.all()) {
            iterator.forEachRemaining(all::add);
        }
        LOG.debug("input ended at {}: judging {} open flows", end, all.size());
        for (KeyValue<Bytes, FlowState> entry : all) {
            judge(entry.key, entry.value, context(end, true, end));
        }
    }

    private DetectionContext context(long now, boolean inputEnded, long captureEnd) {
        return new DetectionContext(topology, config, sensors::liveness, now, inputEnded, captureEnd);
    }

    /** Stores the flow; a timer is armed only when none is, or the armed one would fire after the deadline. */
    private void save(Bytes key, FlowState flow, long deadline) {
        flow.deadlineMicros(deadline);
        if (deadline < flow.timerMicros()) {
            if (flow.timerMicros() != Absent.NEVER) {
                timers.disarm(flow.timerMicros(), key);
            }
            flow.timerMicros(deadline);
            timers.arm(deadline, key);
        }
        flows.put(key, flow);
    }

    /**
     * A new connection takes the flow's key: the old one closes, or moves aside while it waits for a lagging sensor.
     * Returns the new connection's flow, which lists the connections held aside.
     */
    private FlowState retire(Bytes key, FlowState flow) {
        List<Long> held = new ArrayList<>(flow.heldAside());
        flow.heldAside(List.of());
        long now = packetTimeMs * 1000;
        // aside only for a sensor behind this packet by more than a tick: others' records of it are in already
        if (HeldConnections.isAside(key) || !lagging.awaited(flow, now - 2 * SensorLiveness.TICK_INTERVAL_MICROS, now)) {
            close(key, flow);
        } else {
            if (flow.timerMicros() != Absent.NEVER) {
                timers.disarm(flow.timerMicros(), key);
                flow.timerMicros(Absent.NEVER);
            }
            flows.delete(key);
            save(HeldConnections.asideKey(key, flow.firstSeenMicros()), flow, flow.deadlineMicros());
            held.add(flow.firstSeenMicros());
        }
        while (held.size() > HeldConnections.MAX_HELD) {
            Bytes oldest = HeldConnections.asideKey(key, held.remove(0));
            Optional.ofNullable(flows.get(oldest)).ifPresent(connection -> close(oldest, connection));
        }
        FlowState next = new FlowState();
        next.heldAside(held);
        return next;
    }

    private void close(Bytes key, FlowState flow) {
        if (flow.timerMicros() != Absent.NEVER) {
            timers.disarm(flow.timerMicros(), key);
        }
        flows.delete(key);
        connections.closed();
        figures.viewsClosed(flow.views().size());
        FlowRecord record = FlowRecords.of(flow);
        long timestampMs = record.getLastSeenMicros() / 1000;
        context.forward(new Record<>(HeldConnections.flowKey(key).get(), record, timestampMs), TO_FLOWS);
        byte[] serverAddress = flow.primary().responderAddress();
        context.forward(new Record<>(serverAddress, record, timestampMs), TO_SERVICE_STAGE);
        long now = packetTimeMs * 1000;
        for (FlowDetector detector : detectors) {
            detector.judgeClosed(flow, context(now, false, now)).ifPresent(alert -> forwardFinding(detector, flow, alert));
        }
    }
}
