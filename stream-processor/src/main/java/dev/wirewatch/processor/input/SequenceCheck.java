package dev.wirewatch.processor.input;

import dev.wirewatch.processor.metrics.ProcessorMetrics;
import dev.wirewatch.schemas.RepeatedLog;
import dev.wirewatch.schemas.SequenceHeaders;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.LoggerFactory;

/**
 * The first step on a sensor topic: a record is passed on once. A sensor numbers its records per run and partition
 * ({@link SequenceHeaders}); this keeps, per topic and run, the last number accepted on the task's partition and
 * drops any record whose number is not above it: a producer that bumped its epoch after a broker failure re-sent a
 * batch Kafka already had. A jump forward counts the records lost between sensor and Kafka (its outbox dropped them,
 * or the producer gave up). Records without the headers (older sensors) pass unchecked. The store is changelogged,
 * so a restarted processor remembers; a run not heard for {@code forgetAfter} of stream time is forgotten.
 */
public final class SequenceCheck implements Processor<byte[], SpecificRecord, byte[], SpecificRecord> {
    public static final String STORE = "input-sequences";
    private static final RepeatedLog LOG = new RepeatedLog(LoggerFactory.getLogger(SequenceCheck.class));

    private final ProcessorMetrics metrics;
    private final long forgetAfterMs;
    private ProcessorContext<byte[], SpecificRecord> context;
    private KeyValueStore<String, byte[]> accepted;

    public SequenceCheck(ProcessorMetrics metrics, Duration forgetAfter) {
        this.metrics = metrics;
        this.forgetAfterMs = forgetAfter.toMillis();
    }

    @Override
    public void init(ProcessorContext<byte[], SpecificRecord> context) {
        this.context = context;
        this.accepted = context.getStateStore(STORE);
        context.schedule(Duration.ofMinutes(1), PunctuationType.STREAM_TIME, this::forgetSilentRuns);
    }

    @Override
    public void process(Record<byte[], SpecificRecord> record) {
        Optional<SequenceHeaders> numbered = SequenceHeaders.of(record.headers());
        if (numbered.isEmpty()) {
            context.forward(record);
            return;
        }
        SequenceHeaders headers = numbered.get();
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
        String run = topic + " " + headers.run();
        Optional<Accepted> last = Optional.ofNullable(accepted.get(run)).map(Accepted::decode);
        long lastNumber = last.map(Accepted::number).orElse(0L);
        if (last.isPresent() && headers.number() <= lastNumber) {
            metrics.inputDuplicate(topic, headers.sensor());
            LOG.warn("duplicate " + topic, "dropped a record " + headers.sensor() + " sent twice to " + topic
                    + " (number " + headers.number() + " of run " + headers.run() + ", " + lastNumber
                    + " already accepted); counted in wirewatch_input_duplicates_total", null);
            return;
        }
        if (last.isPresent() && headers.number() > lastNumber + 1) {
            long lost = headers.number() - lastNumber - 1;
            metrics.inputLost(topic, headers.sensor(), lost);
            LOG.warn("lost " + topic, lost + " record(s) of " + headers.sensor() + " never reached " + topic
                    + " (run " + headers.run() + " jumped from " + lastNumber + " to " + headers.number()
                    + "); counted in wirewatch_input_lost_total", null);
        }
        accepted.put(run, new Accepted(headers.number(), record.timestamp()).encode());
        context.forward(record.withHeaders(new RecordHeaders()));
    }

    /** A run heard last longer ago than the flow stage keeps anything can no longer send a duplicate that matters. */
    private void forgetSilentRuns(long streamTimeMs) {
        List<String> silent = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> runs = accepted.all()) {
            while (runs.hasNext()) {
                KeyValue<String, byte[]> run = runs.next();
                if (Accepted.decode(run.value).heardMs() < streamTimeMs - forgetAfterMs) {
                    silent.add(run.key);
                }
            }
        }
        silent.forEach(accepted::delete);
    }

    /** The last number accepted of a run, and the capture time of its record. */
    record Accepted(long number, long heardMs) {
        byte[] encode() {
            return ByteBuffer.allocate(2 * Long.BYTES).putLong(number).putLong(heardMs).array();
        }

        static Accepted decode(byte[] bytes) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            return new Accepted(buffer.getLong(), buffer.getLong());
        }
    }
}
