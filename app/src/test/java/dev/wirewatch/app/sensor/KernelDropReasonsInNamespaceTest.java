package dev.wirewatch.app.sensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.processor.ProcessorService;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.SensorStatus;
import dev.wirewatch.schemas.Topics;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

/**
 * Kernel drop reasons end to end on real kernels: a server namespace whose iptables drops SYNs to a port, a live
 * sensor inside it with --drop-reasons, the processor on the embedded broker. The alert must name the reason the
 * kernel gave, count the SYNs the DROP rule's own counter counted, and the sensor must leave no tracepoint on.
 */
class KernelDropReasonsInNamespaceTest {
    private static final String SERVER_NS = "wwdrop-server";
    private static final String CLIENT_NS = "wwdrop-client";
    private static final Path INSTANCES = Path.of("/sys/kernel/tracing/instances");

    private static String run(String command) throws Exception {
        Process process = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), command);
        assertEquals(0, process.exitValue(), command + ": " + output);
        return output;
    }

    private static void teardown() throws Exception {
        new ProcessBuilder("bash", "-c", "for ns in " + SERVER_NS + " " + CLIENT_NS + "; do ip netns pids $ns "
                + "2>/dev/null | xargs -r kill; ip netns del $ns 2>/dev/null; done; ip link del wwdrop-root 2>/dev/null; true")
                .start().waitFor(30, TimeUnit.SECONDS);
    }

    private static boolean possible() throws Exception {
        return new File("/proc/self/ns/net").exists() && new ProcessBuilder("bash", "-c",
                "[ \"$(id -u)\" = 0 ] && ip netns list >/dev/null && command -v iptables >/dev/null "
                        + "&& { [ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing; } "
                        + "&& [ -d /sys/kernel/tracing/events/skb/kfree_skb ]").start().waitFor() == 0;
    }

    private static List<String> sensorInstances() throws Exception {
        try (Stream<Path> instances = Files.list(INSTANCES)) {
            return instances.map(path -> path.getFileName().toString()).filter(name -> name.startsWith("wirewatch-"))
                    .toList();
        }
    }

    @Test
    void synsDroppedByIptablesCarryTheKernelsReasonAndTheTracepointIsOffAfterwards() throws Exception {
        assertTrue(possible(),
                "needs root, network namespaces, iptables (deploy/test-deps.sh) and the skb:kfree_skb tracepoint");
        teardown();
        List<String> instancesBefore = sensorInstances();
        Process sensor = null;
        KafkaStreams processor = null;
        Path topology = Files.createTempFile("topology", ".yaml");
        Files.writeString(topology, """
                hosts:
                  server: {interfaces: {eth1: {addresses: [10.232.1.1/24]}}, capture: [eth1]}
                  client: {interfaces: {eth0: {addresses: [10.232.1.2/24]}}}
                """);
        try {
            run("ip netns add " + SERVER_NS + " && ip netns add " + CLIENT_NS);
            run(LiveSensors.linkToRoot(SERVER_NS, "wwdrop", "10.232.0.1/30", "10.232.0.2/30"));
            run("ip link add wwdrop-a type veth peer name wwdrop-b && ip link set wwdrop-a netns " + SERVER_NS
                    + " && ip link set wwdrop-b netns " + CLIENT_NS);
            run("ip netns exec " + SERVER_NS + " sh -c 'ip link set wwdrop-a name eth1; ip addr add 10.232.1.1/24 dev eth1; "
                    + "ip link set eth1 up; iptables -A INPUT -p tcp --syn --dport 8080 -j DROP'");
            run("ip netns exec " + CLIENT_NS + " sh -c 'ip link set lo up; ip link set wwdrop-b name eth0; "
                    + "ip addr add 10.232.1.2/24 dev eth0; ip link set eth0 up'");

            try (EmbeddedBroker broker = EmbeddedBroker.start(new BrokerOptions(null, 0, 3, "10.232.0.1"))) {
                Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
                int partitions;
                try (Admin admin = Admin.create(client)) {
                    partitions = TopicSetup.ensureForProcessor(admin, "drop-test");
                }
                processor = ProcessorService.create(client, "drop-test", Files.createTempDirectory("ww-drop-state"),
                        NetworkTopology.load(topology), ProcessorConfig.DEFAULTS, partitions);
                processor.start();
                Path log = Files.createTempFile("wirewatch-sensor", ".log");
                sensor = LiveSensors.start(SERVER_NS, log, "--bootstrap-servers", broker.bootstrapServers(),
                        "--interface", "eth1", "--host", "server", "--drop-reasons");

                try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                        CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG, "drop-test-reader", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                    consumer.subscribe(List.of(Topics.SENSORS, Topics.ALERTS));
                    List<SpecificRecord> seen = new ArrayList<>();
                    LiveSensors.await(consumer, seen, record -> record instanceof SensorStatus, Duration.ofSeconds(60), log);
                    assertEquals(instancesBefore.size() + 1, sensorInstances().size(), "the sensor's trace instance");

                    // A real client: its kernel sends the SYN and retransmits it (1 s, 3 s) until connect gives up.
                    new ProcessBuilder("ip", "netns", "exec", CLIENT_NS, "bash", "-c",
                            "timeout 4 bash -c 'echo > /dev/tcp/10.232.1.1/8080'").start().waitFor(10, TimeUnit.SECONDS);
                    LiveSensors.await(consumer, seen, record -> record instanceof Alert alert
                            && alert.getType().equals("UNANSWERED_SYN"), Duration.ofSeconds(60), log);
                    Alert alert = seen.stream().filter(Alert.class::isInstance).map(Alert.class::cast)
                            .filter(a -> a.getType().equals("UNANSWERED_SYN")).findFirst().orElseThrow();
                    assertEquals("DROPPED_AT_SERVER_HOST", alert.getCause());
                    assertEquals("server", alert.getHost());
                    assertEquals("NETFILTER_DROP", alert.getDropReason(), alert.toString());
                    assertEquals(dropRuleCount(), alert.getCount(), "every SYN the kernel's DROP rule counted");
                }
                sensor.destroy();
                assertTrue(sensor.waitFor(30, TimeUnit.SECONDS), "SIGTERM stops the sensor");
                assertTrue(Files.readString(log).contains("tracepoint off"), Files.readString(log));
                assertEquals(instancesBefore, sensorInstances(), "the sensor removed its trace instance on exit");
            }
        } finally {
            if (processor != null) {
                processor.close(Duration.ofSeconds(10));
            }
            if (sensor != null && sensor.isAlive()) {
                sensor.destroyForcibly();
            }
            teardown();
        }
    }

    /** Packets that matched the DROP rule, from iptables' own counter. */
    private static long dropRuleCount() throws Exception {
        String rules = run("ip netns exec " + SERVER_NS + " iptables -L INPUT -v -x -n");
        String rule = rules.lines().filter(line -> line.contains("DROP") && line.contains("dpt:8080")).findFirst()
                .orElseThrow(() -> new AssertionError(rules));
        long packets = Long.parseLong(rule.trim().split("\\s+")[0]);
        assertNotEquals(0, packets, rules);
        return packets;
    }
}
