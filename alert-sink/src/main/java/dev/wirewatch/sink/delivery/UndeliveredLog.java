package dev.wirewatch.sink.delivery;

import dev.wirewatch.record.Alert;
import dev.wirewatch.record.DeadLetter;
import dev.wirewatch.record.UndeliveredAlert;
import dev.wirewatch.schemas.AvroSerde;
import dev.wirewatch.schemas.Topics;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Where the sink puts what it could not deliver: ww.alerts.undelivered (the alert, the output, why) and, for records
 * on the alert topic that are not alerts at all, ww.deadletter. Writes are acknowledged before the alert counts as
 * finished, so an alert is either delivered, or recorded here, or read again after a restart.
 */
public final class UndeliveredLog implements AutoCloseable {
    /** A dead letter keeps this much of the record: enough to see what it was, and always below Kafka's 1 MB limit. */
    static final int KEPT_PAYLOAD = 64 * 1024;
    private final KafkaProducer<String, byte[]> producer;
    private final AvroSerde<UndeliveredAlert> undelivered = AvroSerde.of(UndeliveredAlert.class);
    private final AvroSerde<DeadLetter> deadLetter = AvroSerde.of(DeadLetter.class);

    public UndeliveredLog(Map<String, Object> clientConfig) {
        Map<String, Object> properties = new HashMap<>(clientConfig);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        properties.remove("group.id");
        this.producer = new KafkaProducer<>(properties, new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer());
    }

    public void undelivered(Alert alert, String output, String reason, int attempts) {
        UndeliveredAlert record = UndeliveredAlert.newBuilder().setAlert(alert).setOutput(output).setReason(reason)
                .setAttempts(attempts).setFailedAtMillis(System.currentTimeMillis()).build();
        send(new ProducerRecord<>(Topics.ALERTS_UNDELIVERED, alert.getId(),
                undelivered.serializer().serialize(Topics.ALERTS_UNDELIVERED, record)));
    }

    public void undecodable(ConsumerRecord<?, byte[]> record, String reason) {
        byte[] value = record.value();
        boolean cut = value != null && value.length > KEPT_PAYLOAD;
        DeadLetter letter = DeadLetter.newBuilder().setTopic(record.topic()).setPartition(record.partition())
                .setOffset(record.offset())
                .setReason(cut ? reason + " (first " + KEPT_PAYLOAD + " of " + value.length + " bytes kept)" : reason)
                .setPayload(value == null ? null : ByteBuffer.wrap(value, 0, Math.min(value.length, KEPT_PAYLOAD))).build();
        send(new ProducerRecord<>(Topics.DEADLETTER, null, deadLetter.serializer().serialize(Topics.DEADLETTER, letter)));
    }

    private void send(ProducerRecord<String, byte[]> record) {
        try {
            producer.send(record).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot write to " + record.topic() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to " + record.topic(), e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
