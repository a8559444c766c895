package dev.wirewatch.app.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Processor and sink started before their Kafka: they say at once what they wait for, answer /health with 503 and
 * the reason meanwhile, and go on by themselves once a broker listens on that port; a stop while waiting exits 0.
 */
class ServicesWaitForKafkaTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path temp;

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** `wirewatch ARGS` in a JVM of its own, as an operator starts it; its output in {@code log}. */
    private static Process wirewatch(Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.wirewatch.app.Main"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private record Health(int status, String body) {}

    private static Health health(int port) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/health")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return new Health(response.statusCode(), response.body());
        } catch (IOException e) {
            return new Health(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void await(String what, Duration bound, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within " + bound.toSeconds() + " s: " + what);
            Thread.sleep(100);
        }
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void processorAndSinkWaitForKafkaSayingWhyAndGoOnWhenItComes() throws Exception {
        int kafkaPort = freePort();
        int processorHttp = freePort();
        int sinkHttp = freePort();
        String bootstrap = "127.0.0.1:" + kafkaPort;
        Path processorLog = temp.resolve("processor.log");
        Path sinkLog = temp.resolve("sink.log");
        Process processor = wirewatch(processorLog, "processor", "--bootstrap-servers", bootstrap,
                "--state-dir", temp.resolve("state").toString(), "--http-port", String.valueOf(processorHttp));
        Process sink = wirewatch(sinkLog, "sink", "--bootstrap-servers", bootstrap, "--to", "stdout",
                "--http-port", String.valueOf(sinkHttp));
        try {
            String waiting = "waiting for Kafka at " + bootstrap + " (connection refused";
            await("the processor's waiting line", Duration.ofSeconds(20), () -> read(processorLog).contains(waiting));
            await("the sink's waiting line", Duration.ofSeconds(20), () -> read(sinkLog).contains(waiting));
            Health processorWaiting = health(processorHttp);
            assertEquals(503, processorWaiting.status(), processorWaiting.body());
            assertTrue(processorWaiting.body().contains("connection refused"), processorWaiting.body());
            Health sinkWaiting = health(sinkHttp);
            assertEquals(503, sinkWaiting.status(), sinkWaiting.body());
            assertTrue(sinkWaiting.body().contains("connection refused"), sinkWaiting.body());

            try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerOptions.local(null, kafkaPort, 3))) {
                await("the processor running: " + read(processorLog), Duration.ofMinutes(2),
                        () -> health(processorHttp).status() == 200 && read(processorLog).contains("-> RUNNING"));
                await("the sink reading: " + read(sinkLog), Duration.ofMinutes(2),
                        () -> health(sinkHttp).status() == 200 && read(sinkLog).contains("Ctrl-C to stop"));
                assertTrue(processor.isAlive() && sink.isAlive());
                assertTrue(read(processorLog).contains("Kafka at " + bootstrap + " answers"), read(processorLog));
            }
        } finally {
            processor.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            sink.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aStopWhileWaitingExitsAtOnceWithZero() throws Exception {
        String bootstrap = "127.0.0.1:" + freePort();
        Path log = temp.resolve("processor.log");
        Process processor = wirewatch(log, "processor", "--bootstrap-servers", bootstrap,
                "--state-dir", temp.resolve("state").toString());
        try {
            await("the waiting line", Duration.ofSeconds(20), () -> read(log).contains("waiting for Kafka at " + bootstrap));
            processor.destroy(); // SIGTERM, as Ctrl-C's SIGINT runs the same shutdown
            assertTrue(processor.waitFor(10, TimeUnit.SECONDS), "still running 10 s after the stop");
            assertEquals(0, processor.exitValue(), read(log));
        } finally {
            processor.destroyForcibly();
        }
    }
}
