package dev.wirewatch.app.sensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.app.http.ServiceEndpoint;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.schemas.AvroSerde;
import dev.wirewatch.schemas.Topics;
import dev.wirewatch.schemas.NatTable;
import dev.wirewatch.sensor.SensorService;
import dev.wirewatch.sensor.capture.LiveCapture;
import dev.wirewatch.sensor.emit.EmissionMode;
import dev.wirewatch.sensor.emit.EmissionPolicy;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * A live sensor on the loopback interface (real libpcap; needs root) with its /metrics and /health endpoint:
 * the packets it says it captured are the packets that arrived on ww.packets in full mode, and /health turns
 * 503 once the broker is gone.
 */
class SensorMetricsEndpointTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void metricsCountWhatReachedKafkaAndHealthFollowsTheBroker() throws Exception {
        assertTrue("root".equals(System.getProperty("user.name")),
                "live capture needs root: run the tests as root, as .ci/run does");
        EmbeddedBroker broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3));
        SensorService sensor = null;
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            try (Admin admin = Admin.create(client(broker))) {
                TopicSetup.ensure(admin, 3, Map.of());
            }
            int port = listener.getLocalPort();
            sensor = new SensorService(new SensorService.Settings("metrics-test", List.of("lo"),
                    new LiveCapture.Options(128, false, 1 << 20, "tcp port " + port, LiveCapture.Engine.AUTO, 1), EmissionMode.FULL,
                    EmissionPolicy.DEFAULT_MAX_FLOWS, 1 << 20, Duration.ofSeconds(2), NatTable.NONE, false), client(broker));
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            sensor.bindMetrics(registry);
            sensor.start();
            try (ServiceEndpoint endpoint = ServiceEndpoint.start(0, registry, sensor::degradedReason)) {
                Thread.sleep(1_000); // the capture handle is open before the traffic starts
                for (int i = 0; i < 5; i++) {
                    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
                         Socket accepted = listener.accept()) {
                        socket.getOutputStream().write(("hello " + i).getBytes());
                        accepted.getInputStream().readNBytes(7);
                    }
                }
                long packets = awaitStable(sensor);
                long arrived = countPackets(broker, port, packets);
                String metrics = get(endpoint, "/metrics").body();
                assertEquals(packets, arrived, "every captured packet reached ww.packets");
                assertEquals(packets, value(metrics, "wirewatch_sensor_packets_captured_total"));
                assertEquals(sensor.decoded(), value(metrics, "wirewatch_sensor_packets_decoded_total"));
                assertTrue(value(metrics, "wirewatch_sensor_records_emitted_total") >= arrived, metrics);
                assertEquals(0, value(metrics, "wirewatch_sensor_queue_dropped_total"));
                assertTrue(metrics.contains("kafka_producer_request_latency_avg"), "producer latency is exported");
                assertEquals(200, get(endpoint, "/health").statusCode());

                broker.close();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                int status = 200;
                while (status == 200 && System.nanoTime() < deadline) {
                    Thread.sleep(500);
                    status = get(endpoint, "/health").statusCode();
                }
                assertEquals(503, status, "degraded once Kafka stops acknowledging");
                assertEquals(1, value(get(endpoint, "/metrics").body(), "wirewatch_sensor_degraded"));
            }
        } finally {
            if (sensor != null) {
                sensor.close();
            }
            broker.close();
        }
    }

    /** Waits until the capture count stops moving. */
    private static long awaitStable(SensorService sensor) throws InterruptedException {
        long before = -1;
        long now = sensor.captured();
        while (now != before || now == 0) {
            Thread.sleep(1_000);
            before = now;
            now = sensor.captured();
        }
        return now;
    }

    /** PacketEvents of {@code port} on ww.packets, read until {@code expected} came or 30 s passed. */
    static long countPackets(EmbeddedBroker broker, int port, long expected) {
        Map<String, Object> config = new HashMap<>(client(broker));
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "metrics-test");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        var deserializer = AvroSerde.anyRecord().deserializer();
        long count = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.PACKETS));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (count < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(300))) {
                    if (deserializer.deserialize(record.topic(), record.value()) instanceof PacketEvent packet
                            && (packet.getSrcPort() == port || packet.getDstPort() == port)) {
                        count++;
                    }
                }
            }
        }
        return count;
    }

    private HttpResponse<String> get(ServiceEndpoint endpoint, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of an unlabelled sample in Prometheus' text format. */
    private static long value(String metrics, String name) {
        return metrics.lines().filter(line -> line.startsWith(name + " ")).findFirst()
                .map(line -> (long) Double.parseDouble(line.substring(name.length() + 1).trim()))
                .orElseThrow(() -> new AssertionError(name + " not in /metrics:\n" + metrics));
    }

    private static Map<String, Object> client(EmbeddedBroker broker) {
        return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    }
}
