package dev.wirewatch.processor.detect;

import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.flow.Absent;
import dev.wirewatch.processor.flow.ConnectionView;
import dev.wirewatch.processor.flow.FlowState;
import java.util.function.ToLongFunction;

/**
 * A detector that judges one flow as every vantage saw it. The flow processor asks it at the time it names
 * ({@link #dueAtMicros}) and once more when the flow closes; once it has settled, it is not asked again for that flow.
 */
public interface FlowDetector {
    /** How long to wait for a lagging sensor's ticks before its silence no longer counts either way. */
    long LIVENESS_PATIENCE_MICROS = 30_000_000;

    /** The alert type it reports (ALERTS.md). */
    String type();

    /** When this flow next needs a judgement; {@link Absent#NEVER} when only its close will tell. */
    long dueAtMicros(FlowState flow, ProcessorConfig config);

    /**
     * The flow is owed a judgement although {@link #dueAtMicros} has passed: its evidence came after that time
     * (a sensor ships a second of a flow's packets at once, while other sensors' ticks move stream time on).
     */
    default boolean overdue(FlowState flow) {
        return false;
    }

    /** Settled (with the alert, if any) or still pending; {@code context.inputEnded()} means judge with what there is. */
    Verdict inspect(FlowState flow, DetectionContext context);

    /**
     * When a verdict about an event is due: the earliest {@code event} time over every vantage and both sides of the
     * connection ({@link Absent#NONE}: no such event there), plus the clock skew and half-open grace that the
     * other sensors get to report it; {@link Absent#NEVER} when no side had the event.
     */
    static long settlesAfter(FlowState flow, ProcessorConfig config, ToLongFunction<ConnectionView.Sent> event) {
        long earliest = Absent.NEVER;
        for (FlowState.Seen seen : flow.views()) {
            for (ConnectionView.Sent sent : seen.view().sentByEachSide()) {
                long at = event.applyAsLong(sent);
                if (at != Absent.NONE) {
                    earliest = Math.min(earliest, at);
                }
            }
        }
        return earliest == Absent.NEVER ? earliest : earliest + config.clockSkewMicros() + config.halfOpenGraceMicros();
    }
}
