package dev.wirewatch.processor.input;

import dev.wirewatch.processor.metrics.ProcessorMetrics;
import dev.wirewatch.schemas.RepeatedLog;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils;
import org.slf4j.LoggerFactory;

/**
 * What the processor does with a record it cannot read ({@link InputRecords}): skips it and goes on with the next,
 * counts it per topic ({@link #count}, and {@code wirewatch_dead_letters_total{topic,reason}} on /metrics), copies it
 * to the dead letter topic with the reason in headers, and logs the first one of each topic and reason in one line,
 * then a count at most once a minute — a stream of bad records must not become a stream of stack traces.
 */
public final class SkippedInput implements DeserializationExceptionHandler {
    private static final RepeatedLog LOG = new RepeatedLog(LoggerFactory.getLogger(SkippedInput.class));
    /** A dead letter keeps this much of the record: enough to see what it was, and always below Kafka's 1 MB limit. */
    static final int KEPT_PAYLOAD = 64 * 1024;
    public static final String REASON_HEADER = ExceptionHandlerUtils.HEADER_ERRORS_EXCEPTION_MESSAGE_NAME;

    private static final Map<String, LongAdder> SKIPPED = new ConcurrentHashMap<>();

    private ProcessorMetrics metrics = ProcessorMetrics.unexported();
    private String deadLetters;

    /** Records skipped on {@code topic} since this JVM started. */
    public static long count(String topic) {
        LongAdder count = SKIPPED.get(topic);
        return count == null ? 0 : count.sum();
    }

    @Override
    public void configure(Map<String, ?> configs) {
        if (configs.get(ProcessorMetrics.CONFIG_KEY) instanceof ProcessorMetrics given) {
            metrics = given;
        }
        Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        deadLetters = topic == null ? null : topic.toString();
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        SKIPPED.computeIfAbsent(record.topic(), topic -> new LongAdder()).increment();
        String reason = exception.getMessage() == null ? exception.toString() : exception.getMessage();
        String label = label(reason);
        metrics.deadLetter(record.topic(), label);
        LOG.warn("dead letter: " + record.topic() + " " + label, record.topic() + "-" + record.partition()
                + " offset " + record.offset() + " skipped: " + reason + "; copied to " + deadLetters);
        return Response.resume(deadLetters == null ? List.of() : List.of(deadLetter(record, reason)));
    }

    /** The record's own bytes (cut to {@link #KEPT_PAYLOAD}), where it came from and why it was skipped. */
    private ProducerRecord<byte[], byte[]> deadLetter(ConsumerRecord<byte[], byte[]> record, String reason) {
        byte[] value = record.value();
        if (value != null && value.length > KEPT_PAYLOAD) {
            reason += " (first " + KEPT_PAYLOAD + " of " + value.length + " bytes kept)";
            value = java.util.Arrays.copyOf(value, KEPT_PAYLOAD);
        }
        RecordHeaders headers = new RecordHeaders();
        headers.add(ExceptionHandlerUtils.HEADER_ERRORS_TOPIC_NAME, utf8(record.topic()));
        headers.add(ExceptionHandlerUtils.HEADER_ERRORS_PARTITION_NAME, utf8(Integer.toString(record.partition())));
        headers.add(ExceptionHandlerUtils.HEADER_ERRORS_OFFSET_NAME, utf8(Long.toString(record.offset())));
        headers.add(REASON_HEADER, utf8(reason));
        byte[] key = record.key() != null && record.key().length > KEPT_PAYLOAD
                ? java.util.Arrays.copyOf(record.key(), KEPT_PAYLOAD) : record.key();
        return new ProducerRecord<>(deadLetters, null, key, value, headers);
    }

    /** A short, fixed label for why a record could not be read (a metric tag), never record content. */
    static String label(String reason) {
        if (reason.startsWith("null record value") || reason.startsWith("a tombstone")) {
            return "null-value";
        } else if (reason.startsWith("no key")) {
            return "no-key";
        } else if (reason.startsWith("not an Avro single-object record")) {
            return "not-a-wirewatch-record";
        } else if (reason.startsWith("unknown schema fingerprint")) {
            return "unknown-schema";
        } else if (reason.startsWith("corrupt record body")) {
            return "corrupt-record";
        }
        return "unexpected-type";
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
