package dev.wirewatch.processor.detect;

import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.flow.FlowState;

/**
 * A detector that judges one flow as every vantage saw it. The flow processor asks it at the time it names
 * ({@link #dueAtMicros}) and once more when the flow closes; once it has settled, it is not asked again for that flow.
 */
public interface FlowDetector {
    /** The alert type it reports (ALERTS.md). */
    String type();

    /** When this flow next needs a judgement; {@code Long.MAX_VALUE} when only its close will tell. */
    long dueAtMicros(FlowState flow, ProcessorConfig config);

    /** Settled (with the alert, if any) or still pending; {@code context.inputEnded()} means judge with what there is. */
    Verdict inspect(FlowState flow, DetectionContext context);
}
