package dev.wirewatch.schemas;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The Kafka record headers by which a sensor numbers what it sends, so the processor counts a record once even when
 * the producer sent it twice (an idempotent producer that bumps its epoch after a broker failure re-sends the
 * batches whose outcome it did not learn). Every record of one sensor run to one partition of one topic carries the
 * next number of that (run, topic, partition): 1, 2, 3, ... (docs/architecture.md, "Topics and records").
 *
 * @param sensor the sender's name (for metrics and logs)
 * @param run    random per process: a restarted sensor starts a new sequence
 * @param number this record's place in its run's sequence for its partition
 */
public record SequenceHeaders(String sensor, String run, long number) {
    public static final String SENSOR = "ww.sensor";
    public static final String RUN = "ww.run";
    public static final String SEQUENCE = "ww.seq";

    /** Writes the three headers (replacing any of the same names). */
    public void stamp(Headers headers) {
        headers.remove(SENSOR).remove(RUN).remove(SEQUENCE)
                .add(SENSOR, sensor.getBytes(StandardCharsets.UTF_8))
                .add(RUN, run.getBytes(StandardCharsets.UTF_8))
                .add(SEQUENCE, ByteBuffer.allocate(Long.BYTES).putLong(number).array());
    }

    /** The headers of a record, if it has all three and they are well formed (an older sensor's record has none). */
    public static Optional<SequenceHeaders> of(Headers headers) {
        Header sensor = headers.lastHeader(SENSOR);
        Header run = headers.lastHeader(RUN);
        Header sequence = headers.lastHeader(SEQUENCE);
        if (sensor == null || run == null || sequence == null || sensor.value() == null || run.value() == null
                || sequence.value() == null || sequence.value().length != Long.BYTES) {
            return Optional.empty();
        }
        return Optional.of(new SequenceHeaders(new String(sensor.value(), StandardCharsets.UTF_8),
                new String(run.value(), StandardCharsets.UTF_8), ByteBuffer.wrap(sequence.value()).getLong()));
    }
}
