package dev.wirewatch.processor.flow;

import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.record.Alert;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * The flow stage's detector contract: judges one flow as every vantage saw it. The flow processor asks it at the time
 * it names ({@link #dueAtMicros}) and once more when the flow closes; once it has settled, it is not asked again for
 * that flow. A detector settles with an alert, or — if it {@link #settlesAtDue} — also without one. The registry
 * ({@code detect/Detectors}) lists the flow stage's detectors in the order they are asked.
 */
public interface FlowDetector {
    /** Where a finding goes: straight to ww.alerts, or to the service stage, which completes it (one fault, one alert). */
    enum Handoff {
        ALERT,
        /** the alert, keyed by {@link #serviceStageKey} */
        SERVICE_STAGE,
        /** the alert with the flow as it stands (a FlowFinding), keyed by {@link #serviceStageKey} */
        SERVICE_STAGE_WITH_FLOW
    }

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
    Verdict judge(FlowState flow, DetectionContext context);

    /**
     * Its verdict is final at {@link #dueAtMicros} (UNANSWERED_SYN: the SYN was answered in time or not): a due time
     * already past still makes the flow's deadline, a verdict without an alert settles it too, and a flow that closes
     * before then is judged as it stands, not as at the end of the input. Other detectors are asked until they find
     * something, and a closing flow is judged with what there is.
     */
    default boolean settlesAtDue() {
        return false;
    }

    default Handoff handoff() {
        return Handoff.ALERT;
    }

    /** The service stage's key for a finding handed to it: the server's address, where everything about it meets. */
    default byte[] serviceStageKey(FlowState flow, Alert alert) {
        return flow.primary().responderAddress();
    }

    /** The flow stays open at least until then while this detector has not settled (it still gathers evidence). */
    default long keepsFlowUntilMicros(FlowState flow, ProcessorConfig config) {
        return Absent.NONE;
    }

    /** The flow closes: a last word from a detector that judges only closed flows. */
    default Optional<Alert> judgeClosed(FlowState flow, DetectionContext context) {
        return Optional.empty();
    }

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
