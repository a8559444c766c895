package dev.wirewatch.app.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 18, item 7: `wirewatch sink` stopped by SIGTERM (systemd, Kubernetes, docker stop) exits 0. */
class SinkStopsOnSigtermTest {
    private static SinkTestBroker broker;

    @BeforeAll
    static void start() {
        broker = new SinkTestBroker();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void aSinkProcessStoppedBySigtermExitsZeroAfterDelivering(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("sink.log");
        broker.publish(SinkTestBroker.alert("sigterm-1", 2, null));
        Process sink = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.wirewatch.app.Main", "sink",
                "--bootstrap-servers", broker.bootstrapServers(), "--from-start", "--group-wait", "0",
                "--to", "stdout;format=jsonl")).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            SinkTestBroker.await(() -> read(log).contains("\"id\":\"sigterm-1\""), () -> "the alert printed:\n" + read(log));
            sink.destroy(); // SIGTERM
            assertTrue(sink.waitFor(60, TimeUnit.SECONDS), "stopped within 60 s:\n" + read(log));
            assertEquals(0, sink.exitValue(), "a clean stop:\n" + read(log));
        } finally {
            sink.destroyForcibly();
        }
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
