package dev.wirewatch.processor.flow;

import dev.wirewatch.processor.config.ProcessorConfig;
import java.util.List;

/** When a flow needs the flow stage's attention next, and when it may close: from its views and its detectors. */
record FlowDeadlines(List<FlowDetector> detectors, ProcessorConfig config, ConnectionTimeouts timeouts) {

    FlowDeadlines(List<FlowDetector> detectors, ProcessorConfig config) {
        this(detectors, config, ConnectionTimeouts.from(config));
    }

    /**
     * The next time this flow needs attention: a flow detector's judgement due after {@code nowMicros} (or owed, or
     * final at its due time), else its expiry.
     */
    long deadline(FlowState flow, long nowMicros) {
        long deadline = expiry(flow);
        for (FlowDetector detector : detectors) {
            if (!flow.settled(detector.type())) {
                long due = detector.dueAtMicros(flow, config);
                if (due > nowMicros || detector.overdue(flow) || detector.settlesAtDue()) {
                    deadline = Math.min(deadline, due);
                }
            }
        }
        return deadline;
    }

    /** When every view has timed out and no detector keeps the flow (a redirect's watch), allowing for clock skew. */
    long expiry(FlowState flow) {
        long latest = flow.views().stream().mapToLong(seen -> seen.view().expiresAtMicros(timeouts)).max()
                .orElse(Absent.NONE);
        for (FlowDetector detector : detectors) {
            if (!flow.settled(detector.type())) {
                latest = Math.max(latest, detector.keepsFlowUntilMicros(flow, config)); // e.g. a redirect's watch
            }
        }
        return latest + config.clockSkewMicros();
    }
}
