package dev.wirewatch.processor.service;

import dev.wirewatch.record.Alert;
import dev.wirewatch.record.FlowFinding;
import dev.wirewatch.record.FlowRecord;
import dev.wirewatch.record.Tick;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
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
    private final List<ServiceDetector> detectors;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, Long> upstreamProgress;
    private long watermarkMicros = Long.MIN_VALUE;

    /** @param detectors the registry's service detectors, in the order they are told */
    public ServiceStage(List<ServiceDetector> detectors, int upstreamPartitions) {
        this.upstreamPartitions = upstreamPartitions;
        this.detectors = detectors;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.upstreamProgress = context.getStateStore(UPSTREAM_PROGRESS_STORE);
        detectors.forEach(detector -> detector.init(context, this::alert));
    }

    @Override
    public void process(Record<byte[], SpecificRecord> record) {
        if (record.value() instanceof FlowRecord flow) {
            detectors.forEach(detector -> detector.onFlow(record.key(), flow));
        } else if (record.value() instanceof FlowFinding finding) {
            onUnansweredSyn(finding.getAlert(), finding.getFlow());
        } else if (record.value() instanceof Alert finding) {
            detectors.forEach(detector -> detector.onFinding(finding));
        } else if (record.value() instanceof Tick tick && ProgressMarks.isFlowStage(tick)) {
            onProgress(tick, record.timestamp());
        }
    }

    /**
     * One fault, one alert (docs/ALERTS.md): the first detector that claims the SYNs explains them (a route mismatch,
     * reported now) or holds them for its verdict (PAWS, a few seconds, until the accepted connections before them
     * have arrived); an UNANSWERED_SYN that none claims goes out at once.
     */
    private void onUnansweredSyn(Alert finding, FlowRecord flow) {
        for (ServiceDetector detector : detectors) {
            if (detector.claims(finding, flow)) {
                return;
            }
        }
        alert(finding);
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
            detectors.forEach(detector -> detector.judge(Long.MAX_VALUE, true));
            Tick ended = ProgressMarks.serviceStageEnded(context.taskId().partition(), tick.getTsMicros());
            context.forward(new Record<>(ProgressMarks.key(ended), ended, timestampMs), TO_PROGRESS);
        } else if (watermark != Long.MAX_VALUE && watermark > watermarkMicros
                && (watermark >= watermarkMicros + 1_000_000 || dueBy(watermark))) {
            // Once a second, or as soon as a detector has something due (held unanswered SYNs wait for nothing else).
            watermarkMicros = watermark;
            detectors.forEach(detector -> detector.judge(watermark, false));
        }
    }

    private boolean dueBy(long watermark) {
        return detectors.stream().anyMatch(detector -> detector.dueBy(watermark));
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
