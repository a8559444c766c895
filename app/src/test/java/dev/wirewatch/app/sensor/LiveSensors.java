package dev.wirewatch.app.sensor;


import dev.wirewatch.app.Shell;
import dev.wirewatch.schemas.AvroSerde;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/** Live sensors for the namespace tests: a real `wirewatch sensor` process inside a namespace, and reading its output. */
final class LiveSensors {
    private LiveSensors() {}

    static int sh(String command) throws Exception {
        return Shell.run(command);
    }

    static void must(String command) throws Exception {
        Shell.must(command);
    }

    /**
     * A shell command that gives {@code namespace} an eth0 on a veth to the root namespace ({@code name}-root there),
     * so that a sensor inside reaches a broker listening on {@code rootCidr}'s address.
     */
    static String linkToRoot(String namespace, String name, String rootCidr, String namespaceCidr) {
        return "ip link add " + name + "-root type veth peer name " + name + "-up && ip link set " + name + "-up netns "
                + namespace + " && ip addr add " + rootCidr + " dev " + name + "-root && ip link set " + name + "-root up"
                + " && ip netns exec " + namespace + " sh -c 'ip link set lo up; ip link set " + name + "-up name eth0; "
                + "ip addr add " + namespaceCidr + " dev eth0; ip link set eth0 up'";
    }

    /** `wirewatch sensor ARGS` in {@code namespace}, from this test's classpath, its output in {@code log}. */
    static Process start(String namespace, Path log, String... args) throws Exception {
        return start(List.of("ip", "netns", "exec", namespace), log, args);
    }

    /** The same in this process's namespace. */
    static Process startHere(Path log, String... args) throws Exception {
        return start(List.of(), log, args);
    }

    private static Process start(List<String> prefix, Path log, String... args) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.wirewatch.record",
                "dev.wirewatch.app.Main", "sensor"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Polls until a record {@code wanted} arrives (everything read goes to {@code seen}), or fails with the log. */
    static void await(KafkaConsumer<byte[], byte[]> consumer, List<SpecificRecord> seen, Predicate<SpecificRecord> wanted,
                      Duration limit, Path log) throws Exception {
        var deserializer = AvroSerde.anyRecord().deserializer();
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                SpecificRecord value = deserializer.deserialize(record.topic(), record.value());
                seen.add(value);
                if (wanted.test(value)) {
                    return;
                }
            }
        }
        throw new AssertionError("not seen within " + limit + ": " + seen + "; sensor log: " + Files.readString(log));
    }
}
