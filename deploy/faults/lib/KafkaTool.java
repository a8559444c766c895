// Kafka queries and a counted producer for the fault scenarios, run from source against the wirewatch jar:
//   java -cp "$WW_JAR" deploy/faults/lib/KafkaTool.java BOOTSTRAP COMMAND ARGS...
//   leader TOPIC PARTITION      the partition leader's node id
//   describe TOPIC              "replicas=R min.insync.replicas=M partitions=P isr=SMALLEST"
//   brokers                     how many brokers are registered
//   count TOPIC                 records on the topic (sum of end minus start offsets)
//   produce TOPIC N SECONDS     sends N distinct records (keys r0..) evenly over SECONDS (acks=all, idempotent),
//                               prints "acked=A failed=F"
//   keys TOPIC                  every record key on the topic, one a line (to find lost and doubled records)
//   lag GROUP                   one line: the group's total lag, then per topic, over its committed partitions
import java.time.Duration;
import java.util.*;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.*;

public class KafkaTool {
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        Map<String, Object> config = new HashMap<>(Map.of("bootstrap.servers", bootstrap,
                "request.timeout.ms", 10_000, "default.api.timeout.ms", 20_000));
        switch (args[1]) {
            case "produce" -> produce(config, args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "keys" -> keys(config, args[2]);
            default -> {
                try (Admin admin = Admin.create(config)) {
                    admin(admin, args);
                }
            }
        }
    }

    private static void lag(Admin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> latest = committed.keySet().stream()
                .collect(Collectors.toMap(partition -> partition, partition -> OffsetSpec.latest()));
        var ends = admin.listOffsets(latest).all().get();
        Map<String, Long> byTopic = new TreeMap<>();
        committed.forEach((partition, offset) -> byTopic.merge(partition.topic(),
                Math.max(0, ends.get(partition).offset() - (offset == null ? 0 : offset.offset())), Long::sum));
        long total = byTopic.values().stream().mapToLong(Long::longValue).sum();
        System.out.println(total + "\t" + byTopic);
    }

    static void admin(Admin admin, String[] args) throws Exception {
        switch (args[1]) {
            case "lag" -> lag(admin, args[2]);
            case "brokers" -> System.out.println(admin.describeCluster().nodes().get(20, TimeUnit.SECONDS).size());
            case "leader" -> System.out.println(describe(admin, args[2]).partitions().get(Integer.parseInt(args[3])).leader().id());
            case "describe" -> {
                TopicDescription topic = describe(admin, args[2]);
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, args[2]);
                String minIsr = admin.describeConfigs(List.of(resource)).all().get(20, TimeUnit.SECONDS)
                        .get(resource).get("min.insync.replicas").value();
                System.out.printf("replicas=%d min.insync.replicas=%s partitions=%d isr=%d%n",
                        topic.partitions().get(0).replicas().size(), minIsr, topic.partitions().size(),
                        topic.partitions().stream().mapToInt(p -> p.isr().size()).min().orElse(0));
            }
            case "count" -> {
                Map<TopicPartition, OffsetSpec> earliest = new HashMap<>(), latest = new HashMap<>();
                describe(admin, args[2]).partitions().forEach(p -> {
                    earliest.put(new TopicPartition(args[2], p.partition()), OffsetSpec.earliest());
                    latest.put(new TopicPartition(args[2], p.partition()), OffsetSpec.latest());
                });
                long start = admin.listOffsets(earliest).all().get(20, TimeUnit.SECONDS).values().stream().mapToLong(o -> o.offset()).sum();
                long end = admin.listOffsets(latest).all().get(20, TimeUnit.SECONDS).values().stream().mapToLong(o -> o.offset()).sum();
                System.out.println(end - start);
            }
            default -> throw new IllegalArgumentException("unknown command " + args[1]);
        }
    }

    static TopicDescription describe(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(20, TimeUnit.SECONDS).get(topic);
    }

    /** Distinct keys "r<i>", so a reader can tell lost from doubled records. */
    static void produce(Map<String, Object> config, String topic, int count, int seconds) throws Exception {
        config.put("acks", "all");
        config.put("enable.idempotence", true);
        config.put("delivery.timeout.ms", 120_000);
        config.put("linger.ms", 5);
        AtomicLong acked = new AtomicLong(), failed = new AtomicLong();
        long start = System.nanoTime();
        try (Producer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                long due = start + TimeUnit.SECONDS.toNanos(seconds) * i / count;
                long wait = due - System.nanoTime();
                if (wait > 1_000_000) {
                    Thread.sleep(wait / 1_000_000); // a steady stream across the fault, not one burst before it
                }
                producer.send(new ProducerRecord<>(topic, "r" + i, "record " + i), (metadata, error) -> {
                    (error == null ? acked : failed).incrementAndGet();
                });
            }
            producer.flush();
        }
        System.out.printf("acked=%d failed=%d%n", acked.get(), failed.get());
    }

    static void keys(Map<String, Object> config, String topic) throws Exception {
        config.put("group.id", "wwf-keys-" + UUID.randomUUID());
        config.put("auto.offset.reset", "earliest");
        config.put("isolation.level", "read_committed");
        try (Consumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofSeconds(1)).forEach(record -> System.out.println(record.key()));
            }
        }
    }
}
