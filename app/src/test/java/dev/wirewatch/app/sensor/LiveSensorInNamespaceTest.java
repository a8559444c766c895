package dev.wirewatch.app.sensor;

import static dev.wirewatch.app.sensor.LiveSensors.must;
import static dev.wirewatch.app.sensor.LiveSensors.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.record.InterfaceInfo;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.SensorStatus;
import dev.wirewatch.record.Tick;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.FlowBatches;
import dev.wirewatch.schemas.Topics;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * A real sensor process inside a network namespace captures a real kernel's handshake on a veth and its events
 * reach the broker (which listens on the namespace's side of a veth to the root namespace).
 */
class LiveSensorInNamespaceTest {
    private static final String SENSOR_NS = "wwlive-sensor";
    private static final String PEER_NS = "wwlive-peer";

    private static void teardown() throws Exception {
        sh("ip netns pids " + SENSOR_NS + " 2>/dev/null | xargs -r kill; ip netns pids " + PEER_NS
                + " 2>/dev/null | xargs -r kill; ip netns del " + SENSOR_NS + " 2>/dev/null; ip netns del " + PEER_NS
                + " 2>/dev/null; ip link del wwlive-root 2>/dev/null; true");
    }

    @Test
    void aSensorInANamespaceShipsTheHandshakesItCapturesOnAVeth() throws Exception {
        assertTrue(new File("/proc/self/ns/net").exists() && sh("[ \"$(id -u)\" = 0 ] && ip netns list >/dev/null") == 0,
                "needs root and network namespaces (ip netns): run the tests as root after deploy/test-deps.sh");
        teardown();
        Process sensor = null;
        try {
            must("ip netns add " + SENSOR_NS + " && ip netns add " + PEER_NS);
            must(LiveSensors.linkToRoot(SENSOR_NS, "wwlive", "10.231.0.1/30", "10.231.0.2/30"));
            must("ip netns exec " + SENSOR_NS + " ip route add default via 10.231.0.1");
            must("ip link add wwlive-a type veth peer name wwlive-b && ip link set wwlive-a netns " + SENSOR_NS
                    + " && ip link set wwlive-b netns " + PEER_NS);
            must("ip netns exec " + SENSOR_NS + " sh -c 'ip link set wwlive-a name eth1; ip addr add 10.231.1.1/24 dev eth1; ip link set eth1 up'");
            must("ip netns exec " + PEER_NS + " sh -c 'ip link set lo up; ip link set wwlive-b name eth0; ip addr add 10.231.1.2/24 dev eth0; ip link set eth0 up'");

            try (EmbeddedBroker broker = EmbeddedBroker.start(new BrokerOptions(null, 0, 3, "10.231.0.1"))) {
                Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
                try (Admin admin = Admin.create(client)) {
                    TopicSetup.ensure(admin, 3, Map.of());
                }
                Path log = Files.createTempFile("wirewatch-sensor", ".log");
                sensor = LiveSensors.start(SENSOR_NS, log, "--bootstrap-servers", broker.bootstrapServers(),
                        "--interface", "eth1", "--host", "live-sensor");

                try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                        CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG, "live-test", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                    consumer.subscribe(List.of(Topics.PACKETS, Topics.SENSORS));
                    List<SpecificRecord> seen = new ArrayList<>();
                    LiveSensors.await(consumer, seen, record -> record instanceof SensorStatus status
                            && status.getHost().equals("live-sensor"), Duration.ofSeconds(60), log);

                    // A real kernel's handshake: the peer connects to a listener in the sensor's namespace (in the
                    // background, its output detached so the shell returns at once).
                    sh("ip netns exec " + SENSOR_NS + " python3 -c \"import socket; s=socket.socket(); "
                            + "s.bind(('10.231.1.1', 8000)); s.listen(); c,_=s.accept(); c.recv(10); c.close()\" >/dev/null 2>&1 &");
                    // The listener's python may take seconds to start on a loaded machine: the peer retries a refusal.
                    must("ip netns exec " + PEER_NS + " python3 -c \"import socket, time\n"
                            + "for attempt in range(100):\n"
                            + "    try:\n"
                            + "        s = socket.create_connection(('10.231.1.1', 8000), timeout=5); break\n"
                            + "    except ConnectionRefusedError:\n"
                            + "        time.sleep(0.2)\n"
                            + "s.send(b'hello'); s.close()\"");

                    // A control-mode sensor ships the whole short connection as one FlowBatch at its next tick.
                    LiveSensors.await(consumer, seen, record -> packetsOf(record).stream().anyMatch(this::isSynAck),
                            Duration.ofSeconds(30), log);
                    PacketEvent syn = seen.stream().flatMap(record -> packetsOf(record).stream())
                            .filter(packet -> packet.getTcp() != null && packet.getTcp().getFlags() == 0x02).findFirst().orElseThrow();
                    assertEquals("live-sensor", syn.getHost());
                    assertEquals("eth1", syn.getIface());
                    assertEquals("10.231.1.2", Addresses.ip(syn.getSrc()));
                    assertEquals(8000, syn.getDstPort());
                    assertTrue(seen.stream().anyMatch(record -> record instanceof Tick tick && tick.getHost().equals("live-sensor")),
                            "the sensor ticks");

                    // The inventory against what the kernel says about the namespace's interfaces and routes.
                    SensorStatus status = seen.stream().filter(SensorStatus.class::isInstance).map(SensorStatus.class::cast)
                            .findFirst().orElseThrow();
                    assertEquals(List.of("eth1"), status.getCaptured());
                    InterfaceInfo eth0 = status.getInterfaces().stream().filter(i -> i.getName().equals("eth0")).findFirst().orElseThrow();
                    InterfaceInfo eth1 = status.getInterfaces().stream().filter(i -> i.getName().equals("eth1")).findFirst().orElseThrow();
                    assertEquals("10.231.0.1", eth0.getGateway(), "default gateway from the kernel's routing table");
                    assertTrue(eth1.getAddresses().contains("10.231.1.1/24"), eth1.getAddresses().toString());
                    assertEquals(kernelMac(SENSOR_NS, "eth1"), eth1.getMac());
                }
                sensor.destroy();
                assertTrue(sensor.waitFor(30, TimeUnit.SECONDS), "SIGTERM stops the sensor");
            }
        } finally {
            if (sensor != null && sensor.isAlive()) {
                sensor.destroyForcibly();
            }
            teardown();
        }
    }

    /** The MAC as `ip link` reports it. */
    private static String kernelMac(String namespace, String iface) throws Exception {
        Process ip = new ProcessBuilder("ip", "-n", namespace, "-br", "link", "show", iface).start();
        String line = new String(ip.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        ip.waitFor();
        return line.split("\\s+")[2];
    }

    /** The packets a record carries: itself, or a batch's. */
    private static List<PacketEvent> packetsOf(SpecificRecord record) {
        return FlowBatches.itemsOf(record).stream().filter(PacketEvent.class::isInstance).map(PacketEvent.class::cast)
                .toList();
    }

    private boolean isSynAck(PacketEvent packet) {
        return packet.getTcp() != null && packet.getTcp().getFlags() == 0x12 && packet.getSrcPort() == 8000;
    }
}
