package dev.wirewatch.sink;

import dev.wirewatch.sink.delivery.RetryPolicy;
import dev.wirewatch.sink.output.OutputSpec;
import java.time.Duration;
import java.util.List;

/**
 * How one sink runs.
 *
 * @param topic        the alert topic it reads (ww.alerts, or a replay's kept topic)
 * @param groupId      its consumer group: where it resumes after a restart
 * @param fromStart    where a new group starts: the oldest alert kept, or (false) only alerts written from now on
 * @param groupWait    how long a burst of one type on one subject is collected into one notification
 * @param resolveAfter how long a condition stays open without a new alert before it is resolved (zero: never)
 */
public record SinkConfig(String topic, String groupId, boolean fromStart, List<OutputSpec> outputs, Duration groupWait,
                         Duration resolveAfter, RetryPolicy retry) {
    public SinkConfig {
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("at least one --to is needed");
        }
        outputs = List.copyOf(outputs);
    }
}
