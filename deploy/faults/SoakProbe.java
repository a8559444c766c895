import dev.wirewatch.record.Alert;
import dev.wirewatch.schemas.AvroSerde;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The soak's view of Kafka, compiled once against wirewatch's jar (javac -cp wirewatch.jar SoakProbe.java):
 *   append-time BOOTSTRAP TOPIC   the topic's records get the broker's append time as timestamp (LogAppendTime),
 *                                 so an alert's record says when it arrived, not its capture time
 *   alerts BOOTSTRAP FILE         every committed record of ww.alerts as one tab-separated line
 */
public final class SoakProbe {
    public static void main(String[] args) throws Exception {
        Properties config = new Properties();
        config.put("bootstrap.servers", args[1]);
        switch (args[0]) {
            case "append-time" -> {
                try (Admin admin = Admin.create(config)) {
                    ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, args[2]);
                    AlterConfigOp op = new AlterConfigOp(new ConfigEntry("message.timestamp.type", "LogAppendTime"),
                            AlterConfigOp.OpType.SET);
                    admin.incrementalAlterConfigs(Map.of(topic, List.of(op))).all().get();
                }
            }
            case "alerts" -> alerts(config, Path.of(args[2]));
            default -> throw new IllegalArgumentException("append-time or alerts, not " + args[0]);
        }
    }

    private static void alerts(Properties config, Path out) throws Exception {
        config.put("isolation.level", "read_committed");
        config.put("key.deserializer", ByteArrayDeserializer.class.getName());
        config.put("value.deserializer", ByteArrayDeserializer.class.getName());
        var decode = AvroSerde.of(Alert.class).deserializer();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config);
             PrintWriter lines = new PrintWriter(Files.newBufferedWriter(out))) {
            List<TopicPartition> partitions = consumer.partitionsFor("ww.alerts").stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (!reached(consumer, ends)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
                    Alert alert = decode.deserialize(record.topic(), record.value());
                    lines.println(String.join("\t", List.of(String.valueOf(record.partition()),
                            String.valueOf(record.offset()), record.timestampType().name, String.valueOf(record.timestamp()),
                            alert.getId(), alert.getType(), String.valueOf(alert.getRevision()), text(alert.getCause()),
                            text(alert.getClient()), text(alert.getServer()), String.valueOf(alert.getFirstSeenMicros()),
                            String.valueOf(alert.getLastSeenMicros()), String.valueOf(alert.getCount()),
                            String.valueOf(alert.toString().hashCode()))));
                }
            }
        }
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
    }

    private static String text(Object value) {
        return value == null ? "-" : value.toString();
    }
}
