// Prints every record of the named topics, from the start to their end offsets now, one JSON line each:
// {"topic":..,"partition":..,"offset":..,"ts":..,"value":<the Avro record as JSON>}. Run as a single-file source
// program on wirewatch's jar: java -cp wirewatch.jar TopicDump.java BOOTSTRAP TOPIC...
import dev.wirewatch.schemas.RecordCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public class TopicDump {
    public static void main(String[] args) {
        Properties props = new Properties();
        props.put("bootstrap.servers", args[0]);
        props.put("isolation.level", "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int i = 1; i < args.length; i++) {
                consumer.partitionsFor(args[i], Duration.ofSeconds(30))
                        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            RecordCodec codec = RecordCodec.shared();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
                    String value;
                    try {
                        value = r.value() == null ? "null" : codec.decode(r.value()).toString();
                    } catch (RuntimeException e) {
                        value = "{\"undecodable\": true}";
                    }
                    System.out.println("{\"topic\":\"" + r.topic() + "\",\"partition\":" + r.partition() + ",\"offset\":"
                            + r.offset() + ",\"ts\":" + r.timestamp() + ",\"value\":" + value + "}");
                }
            }
        }
    }
}
