package dev.wirewatch.app.sensor;

import static dev.wirewatch.app.sensor.LiveSensors.must;
import static dev.wirewatch.app.sensor.LiveSensors.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.app.http.ServiceEndpoint;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.Tick;
import dev.wirewatch.schemas.AvroSerde;
import dev.wirewatch.schemas.NatTable;
import dev.wirewatch.schemas.Topics;
import dev.wirewatch.sensor.SensorService;
import dev.wirewatch.sensor.capture.LiveCapture;
import dev.wirewatch.sensor.emit.EmissionMode;
import dev.wirewatch.sensor.emit.EmissionPolicy;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.File;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Issue 18: deleting and re-creating the captured veth killed the capture thread while the sensor kept ticking as
 * live. Here a live sensor (the packet ring) captures one end of a veth to a namespace; the veth is deleted under it:
 * the sensor is degraded with a reason naming the interface (/health 503, the metric), its ticks name the interface
 * as not captured; the veth is re-created: capture resumes (every datagram sent afterwards reaches ww.packets) and
 * the degraded state clears.
 */
class CaptureSurvivesInterfaceReplacedTest {
    private static final String NS = "wwsw-peer";
    private static final String IFACE = "wwsw-cap";
    private static final String PEER_MAC = "02:00:00:00:07:02";
    private final HttpClient http = HttpClient.newHttpClient();

    /** The veth, its far end in the namespace, and a static neighbour entry (no ARP round trip to wait for). */
    private static void createLink() throws Exception {
        must("ip link add " + IFACE + " type veth peer name wwsw-far && ip link set wwsw-far netns " + NS
                + " && ip addr add 10.233.7.1/24 dev " + IFACE + " && ip link set " + IFACE + " up"
                + " && ip netns exec " + NS + " sh -c 'ip link set wwsw-far address " + PEER_MAC
                + "; ip addr add 10.233.7.2/24 dev wwsw-far; ip link set wwsw-far up'"
                + " && ip neigh replace 10.233.7.2 lladdr " + PEER_MAC + " dev " + IFACE + " nud permanent");
    }

    private static void teardown() throws Exception {
        sh("ip link del " + IFACE + " 2>/dev/null; ip netns del " + NS + " 2>/dev/null; true");
    }

    @Test
    void aDeletedInterfaceMakesTheSensorDegradedAndBlindAndItsReturnIsCapturedAgain() throws Exception {
        assertTrue(new File("/proc/self/ns/net").exists() && sh("[ \"$(id -u)\" = 0 ] && ip netns list >/dev/null") == 0,
                "needs root and network namespaces (ip netns): run the tests as root after deploy/test-deps.sh");
        teardown();
        SensorService sensor = null;
        EmbeddedBroker broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3));
        try (DatagramSocket udp = new DatagramSocket()) {
            must("ip netns add " + NS);
            createLink();
            Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            try (Admin admin = Admin.create(client)) {
                TopicSetup.ensure(admin, 3, Map.of());
            }
            sensor = new SensorService(new SensorService.Settings("wwsw", List.of(IFACE),
                    new LiveCapture.Options(128, false, 1 << 20, "udp", LiveCapture.Engine.RING, 1), EmissionMode.FULL,
                    EmissionPolicy.DEFAULT_MAX_FLOWS, 1 << 20, Duration.ofSeconds(5), NatTable.NONE, false), client);
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            sensor.bindMetrics(registry);
            sensor.start();
            SensorService live = sensor;
            try (ServiceEndpoint endpoint = ServiceEndpoint.start(0, registry, sensor::degradedReason)) {
                send(udp, 40001, 10);
                await("the first datagrams are captured", () -> live.captured() >= 10);
                assertEquals(200, get(endpoint, "/health").statusCode());

                must("ip link del " + IFACE);
                await("/health says the capture of " + IFACE + " stopped",
                        () -> health(endpoint).statusCode() == 503 && health(endpoint).body().contains(IFACE));
                String body = health(endpoint).body();
                System.out.println("while deleted: " + body);
                assertTrue(body.contains("capture of " + IFACE + " stopped"), body);
                assertEquals(1, degradedMetric(endpoint));
                assertEquals(List.of(IFACE), sensor.notCapturing());
                assertEquals(List.of(IFACE), sensor.status().getNotCapturing());
                Thread.sleep(2_000); // ticks go on meanwhile, naming the interface

                createLink();
                await("capture resumes and the degraded state clears", () -> live.notCapturing().isEmpty()
                        && health(endpoint).statusCode() == 200);
                assertEquals(0, degradedMetric(endpoint));
                long before = sensor.captured();
                send(udp, 40002, 50);
                await("the datagrams sent after the re-creation are captured", () -> live.captured() >= before + 50);
            }
            Counts counts = read(client);
            assertEquals(50, counts.afterReturn, "every datagram sent to the re-created interface reached ww.packets");
            assertTrue(counts.blindTicks > 0, "ticks named " + IFACE + " as not captured");
            assertTrue(counts.ticksAfterBlind > 0, "and ticks after the return name nothing");
            System.out.printf("datagrams after the return: sent 50, on ww.packets %d; ticks naming %s: %d%n",
                    counts.afterReturn, IFACE, counts.blindTicks);
        } finally {
            if (sensor != null) {
                sensor.close();
            }
            broker.close();
            teardown();
        }
    }

    private static void send(DatagramSocket udp, int port, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            byte[] payload = ("datagram " + i).getBytes();
            udp.send(new DatagramPacket(payload, payload.length, new InetSocketAddress("10.233.7.2", port)));
        }
    }

    private record Counts(long afterReturn, long blindTicks, long ticksAfterBlind) {}

    /** What reached ww.packets: datagrams to the second port, ticks naming the interface, clean ticks after them. */
    private static Counts read(Map<String, Object> client) {
        Map<String, Object> config = new HashMap<>(client);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "wwsw-" + System.nanoTime());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        var deserializer = AvroSerde.anyRecord().deserializer();
        long after = 0;
        long blind = 0;
        long cleanAfterBlind = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.PACKETS));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            long quietUntil = 0;
            while (System.nanoTime() < deadline && (quietUntil == 0 || System.nanoTime() < quietUntil)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(300))) {
                    SpecificRecord value = deserializer.deserialize(record.topic(), record.value());
                    if (value instanceof PacketEvent packet && packet.getDstPort() == 40002) {
                        after++;
                    } else if (value instanceof Tick tick && record.partition() == 0) {
                        if (tick.getBlind().contains(IFACE)) {
                            blind++;
                        } else if (blind > 0) {
                            cleanAfterBlind++;
                        }
                    }
                }
                if (after >= 50 && quietUntil == 0) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                }
            }
        }
        return new Counts(after, blind, cleanAfterBlind);
    }

    private static void await(String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(200);
        }
    }

    private HttpResponse<String> health(ServiceEndpoint endpoint) {
        try {
            return get(endpoint, "/health");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> get(ServiceEndpoint endpoint, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private long degradedMetric(ServiceEndpoint endpoint) throws Exception {
        String metrics = get(endpoint, "/metrics").body();
        return metrics.lines().filter(line -> line.startsWith("wirewatch_sensor_degraded ")).findFirst()
                .map(line -> (long) Double.parseDouble(line.substring("wirewatch_sensor_degraded ".length()).trim()))
                .orElseThrow(() -> new AssertionError("no wirewatch_sensor_degraded in /metrics"));
    }
}
