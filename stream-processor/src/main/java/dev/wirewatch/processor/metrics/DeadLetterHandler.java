package dev.wirewatch.processor.metrics;

import dev.wirewatch.schemas.RepeatedLog;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils;
import org.slf4j.LoggerFactory;

/**
 * A record the processor cannot decode is skipped and copied, as it came, to the dead-letter topic (with Kafka
 * Streams' error headers). Each topic and reason is logged once, then counted ({@code wirewatch_dead_letters_total})
 * and summarised at most once a minute: a stream of garbage cannot flood the log with stack traces.
 */
public final class DeadLetterHandler implements DeserializationExceptionHandler {
    private static final RepeatedLog LOG = new RepeatedLog(LoggerFactory.getLogger(DeadLetterHandler.class));

    private ProcessorMetrics metrics = ProcessorMetrics.unexported();
    private String deadLetterTopic;

    @Override
    public void configure(Map<String, ?> configs) {
        if (configs.get(ProcessorMetrics.CONFIG_KEY) instanceof ProcessorMetrics given) {
            metrics = given;
        }
        Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        deadLetterTopic = topic == null ? null : topic.toString();
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        String reason = reason(exception);
        metrics.deadLetter(record.topic(), reason);
        LOG.warn("dead letter: " + record.topic() + " " + reason, "record skipped (partition " + record.partition()
                + ", offset " + record.offset() + ") and copied to " + deadLetterTopic, exception);
        return Response.resume(ExceptionHandlerUtils.maybeBuildDeadLetterQueueRecords(deadLetterTopic,
                context.sourceRawKey(), context.sourceRawValue(), context, exception));
    }

    /** A short, fixed label for why a record could not be read (RecordCodec's messages), never record content. */
    static String reason(Exception exception) {
        String message = exception.getMessage() == null ? "" : exception.getMessage();
        if (message.startsWith("null record value")) {
            return "null-value";
        } else if (message.startsWith("not an Avro single-object record")) {
            return "not-a-wirewatch-record";
        } else if (message.startsWith("unknown schema fingerprint")) {
            return "unknown-schema";
        } else if (message.startsWith("corrupt record body")) {
            return "corrupt-record";
        } else if (message.startsWith("expected ")) {
            return "unexpected-type";
        }
        return exception.getClass().getSimpleName();
    }
}
