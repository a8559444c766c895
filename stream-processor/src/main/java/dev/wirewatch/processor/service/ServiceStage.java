package dev.wirewatch.processor.service;

import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.detect.ConnectionRefusedDetector;
import dev.wirewatch.processor.detect.Explained;
import dev.wirewatch.processor.detect.HalfOpenSessionReport;
import dev.wirewatch.processor.detect.PawsSynDropDetector;
import dev.wirewatch.processor.detect.RouteMismatchDetector;
import dev.wirewatch.processor.detect.SensorCoverageGapDetector;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.FlowFinding;
import dev.wirewatch.record.FlowRecord;
import dev.wirewatch.record.Tick;
import dev.wirewatch.schemas.FlowKey;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The service stage: closed flows and flow findings (UNANSWERED_SYN with its flow, HALF_OPEN_SESSION and the
 * findings that can explain one, SENSOR_COVERAGE_GAP) keyed by server address, so that everything about one server
 * meets in one task. Its detectors need a clock that no upstream partition can run ahead of: closed flows
 * come from every flow partition at its own pace, so this task's stream time (the maximum) would close windows
 * before slower partitions delivered. It keeps a low watermark instead: the least capture time that every upstream
 * partition has reported reaching (their progress Ticks), or the end of the input once every one has ended.
 */
public final class ServiceStage implements Processor<byte[], SpecificRecord, String, SpecificRecord> {
    public static final String UPSTREAM_PROGRESS_STORE = "services-upstream-progress";
    public static final String TO_ALERTS = "service-alerts-out";
    public static final String TO_PROGRESS = "progress-out";

    private final int upstreamPartitions;
    private final ConnectionRefusedDetector refusals;
    private final HalfOpenSessionReport halfOpen;
    private final PawsSynDropDetector paws;
    private final RouteMismatchDetector routes;
    private final SensorCoverageGapDetector coverage;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, Long> upstreamProgress;
    private long watermarkMicros = Long.MIN_VALUE;

    public ServiceStage(NetworkTopology topology, ProcessorConfig config, int upstreamPartitions) {
        this.upstreamPartitions = upstreamPartitions;
        this.refusals = new ConnectionRefusedDetector(topology, config);
        this.halfOpen = new HalfOpenSessionReport(config);
        this.paws = new PawsSynDropDetector(topology, config);
        this.routes = new RouteMismatchDetector(topology, config);
        this.coverage = new SensorCoverageGapDetector(config);
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.upstreamProgress = context.getStateStore(UPSTREAM_PROGRESS_STORE);
        refusals.init(context.getStateStore(ConnectionRefusedDetector.SERVICES_STORE), this::alert);
        halfOpen.init(context.getStateStore(HalfOpenSessionReport.PENDING_STORE),
                context.getStateStore(HalfOpenSessionReport.CONNECTIONS_STORE),
                context.getStateStore(HalfOpenSessionReport.EXPLANATIONS_STORE), this::alert);
        paws.init(context.getStateStore(PawsSynDropDetector.SOURCES_STORE),
                context.getStateStore(PawsSynDropDetector.DUE_STORE),
                context.getStateStore(PawsSynDropDetector.HELD_STORE), this::alert);
        routes.init(context.getStateStore(RouteMismatchDetector.REPORTED_STORE), this::alert);
        coverage.init(context.getStateStore(SensorCoverageGapDetector.REPORTED_STORE), this::alert);
    }

    @Override
    public void process(Record<byte[], SpecificRecord> record) {
        if (record.value() instanceof FlowRecord flow) {
            routes.onFlow(flow);
            if (flow.getProtocol() == FlowKey.TCP) {
                refusals.onFlow(Bytes.wrap(record.key()), flow);
                halfOpen.onFlow(flow);
                paws.onFlow(flow);
            }
        } else if (record.value() instanceof FlowFinding finding) {
            onUnansweredSyn(finding.getAlert(), finding.getFlow());
        } else if (record.value() instanceof Alert finding && finding.getType().equals(SensorCoverageGapDetector.TYPE)) {
            coverage.onFinding(finding);
        } else if (record.value() instanceof Alert finding && HalfOpenSessionReport.TYPES.contains(finding.getType())) {
            halfOpen.onFinding(finding);
        } else if (record.value() instanceof Tick tick) {
            onProgress(tick, record.timestamp());
        }
    }

    /**
     * One fault, one alert (docs/ALERTS.md): SYNs that left their host by the wrong interface are the route mismatch's,
     * reported now; SYNs that may have been dropped by PAWS wait for the PAWS detector's verdict (a few seconds, until
     * the accepted connections before them have arrived); any other UNANSWERED_SYN goes out at once.
     */
    private void onUnansweredSyn(Alert finding, FlowRecord flow) {
        Optional<Alert> route = routes.explain(flow);
        if (route.isPresent()) {
            alert(Explained.by(finding, route.get(), "they left " + route.get().getHost() + " by an interface without "
                    + "a route to the internal network"));
        } else if (!paws.hold(finding, flow)) {
            alert(finding);
        }
    }

    private void alert(Alert alert) {
        context.forward(new Record<>(alert.getId(), alert, alert.getLastSeenMicros() / 1000), TO_ALERTS);
    }

    private void onProgress(Tick tick, long timestampMs) {
        Long before = upstreamProgress.get(tick.getHost());
        long reached = tick.getEndOfInput() ? Long.MAX_VALUE : Math.max(before == null ? Long.MIN_VALUE : before,
                tick.getTsMicros());
        upstreamProgress.put(tick.getHost(), reached);
        long watermark = lowWatermark();
        if (watermark == Long.MAX_VALUE && watermarkMicros != Long.MAX_VALUE) {
            watermarkMicros = watermark;
            refusals.closeWindows(Long.MAX_VALUE, true);
            halfOpen.release(Long.MAX_VALUE, true);
            paws.judge(Long.MAX_VALUE, true);
            String partition = "services-" + context.taskId().partition();
            context.forward(new Record<>(partition, Tick.newBuilder().setHost(partition).setTsMicros(tick.getTsMicros())
                    .setEndOfInput(true).build(), timestampMs), TO_PROGRESS);
        } else if (watermark != Long.MAX_VALUE && watermark > watermarkMicros
                && (watermark >= watermarkMicros + 1_000_000 || paws.dueBy(watermark))) {
            // Once a second, or as soon as held unanswered SYNs are due: their alert waits for nothing else.
            watermarkMicros = watermark;
            refusals.closeWindows(watermark, false);
            halfOpen.release(watermark, false);
            paws.judge(watermark, false);
        }
    }

    private long lowWatermark() {
        long count = 0;
        long lowest = Long.MAX_VALUE;
        try (KeyValueIterator<String, Long> iterator = upstreamProgress.all()) {
            while (iterator.hasNext()) {
                lowest = Math.min(lowest, iterator.next().value);
                count++;
            }
        }
        return count < upstreamPartitions ? Long.MIN_VALUE : lowest;
    }
}
