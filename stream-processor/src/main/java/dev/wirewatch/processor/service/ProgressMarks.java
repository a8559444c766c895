package dev.wirewatch.processor.service;

import dev.wirewatch.record.Tick;

/**
 * Progress marks: Ticks that a stage, not a sensor, sends — how far one of its partitions has got in capture time.
 * They share the Tick record with the sensors' ticks (the schema stays as it is), so their {@code host} names the
 * stage and partition instead of a sensor: {@code partition-N} from the flow stage to the service stage (on the
 * service stage's topic), {@code services-N} from the service stage when it has judged the input to its end (on the
 * progress topic). Sensor ticks belong on neither topic; the service stage counts only the flow stage's marks.
 */
public final class ProgressMarks {
    private static final String FLOW_STAGE = "partition-";
    private static final String SERVICE_STAGE = "services-";

    private ProgressMarks() {}

    /** The flow stage's partition {@code partition} has reached {@code micros} (or the end of the input). */
    public static Tick flowStage(int partition, long micros, boolean endOfInput) {
        return mark(FLOW_STAGE + partition, micros, endOfInput);
    }

    /** The service stage's partition {@code partition} has judged the input to its end. */
    public static Tick serviceStageEnded(int partition, long micros) {
        return mark(SERVICE_STAGE + partition, micros, true);
    }

    /** The Kafka key of a service stage's mark on the progress topic: its own name. */
    public static String key(Tick mark) {
        return mark.getHost();
    }

    /** A flow stage's mark: the service stage's watermark counts these, not a sensor's tick sent there by mistake. */
    public static boolean isFlowStage(Tick tick) {
        return tick.getHost().startsWith(FLOW_STAGE);
    }

    private static Tick mark(String source, long micros, boolean endOfInput) {
        return Tick.newBuilder().setHost(source).setTsMicros(micros).setEndOfInput(endOfInput).build();
    }
}
