// What a transactional sensor producer would cost beside the idempotent one it is: the same records (sensor-sized,
// the sensor's producer settings: acks=all, lz4, linger 20 ms, 256 KiB batches) sent both ways, records/s each.
//   java -cp app/target/wirewatch.jar deploy/bench/ProducerTransactionsCost.java BOOTSTRAP RECORDS COMMIT_EVERY
// COMMIT_EVERY: records per transaction (a sensor would commit at least every tick, i.e. each second).
import java.util.*;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class ProducerTransactionsCost {
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        int records = Integer.parseInt(args[1]);
        int commitEvery = Integer.parseInt(args[2]);
        byte[][] values = new byte[1024][];
        Random random = new Random(1);
        for (int i = 0; i < values.length; i++) { // half random, half repeated: compresses like Avro records do
            values[i] = new byte[240];
            for (int j = 0; j < 120; j++) values[i][j] = (byte) random.nextInt(256);
        }
        for (int round = 0; round < 3; round++) {
            for (boolean transactional : new boolean[] {false, true}) {
                Map<String, Object> config = new HashMap<>(Map.of("bootstrap.servers", bootstrap, "acks", "all",
                        "enable.idempotence", true, "compression.type", "lz4", "linger.ms", 20, "batch.size", 262_144));
                if (transactional) config.put("transactional.id", "cost-" + UUID.randomUUID());
                AtomicLong failed = new AtomicLong();
                try (Producer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
                    if (transactional) producer.initTransactions();
                    long start = System.nanoTime();
                    for (int i = 0; i < records; i++) {
                        if (transactional && i % commitEvery == 0) {
                            if (i > 0) producer.commitTransaction();
                            producer.beginTransaction();
                        }
                        byte[] key = ("flow-" + random.nextInt(50_000)).getBytes();
                        producer.send(new ProducerRecord<>("ww.packets", key, values[i % values.length]),
                                (metadata, error) -> { if (error != null) failed.incrementAndGet(); });
                    }
                    if (transactional) producer.commitTransaction(); else producer.flush();
                    double seconds = (System.nanoTime() - start) / 1e9;
                    System.out.printf(Locale.ROOT, "round %d %s: %,d records in %.2f s = %,.0f records/s (failed %d)%n",
                            round, transactional ? "transactional, commit every " + commitEvery : "idempotent", records,
                            seconds, records / seconds, failed.get());
                }
            }
        }
    }
}
