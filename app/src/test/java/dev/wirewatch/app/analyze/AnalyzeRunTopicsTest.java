package dev.wirewatch.app.analyze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.Main;
import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An analysis's own topics on an external cluster: gone after a failed or interrupted run, kept when asked. */
class AnalyzeRunTopicsTest {
    private static final Path SAMPLES = Path.of(System.getProperty("wirewatch.samples", "../deploy/samples"));
    private static final Path CASE = SAMPLES.resolve("01-firewall-drop");

    private static EmbeddedBroker broker;
    private static Map<String, Object> clientConfig;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3));
        clientConfig = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void aRunThatFailsMidwayDeletesItsTopics(@TempDir Path temp) throws Exception {
        Path garbage = Files.writeString(temp.resolve("server.pcap"), "not a capture at all");
        List<String> before = runTopics("");
        int code = Main.run("analyze", "--bootstrap-servers", broker.bootstrapServers(),
                "--topology", CASE.resolve("topology.yaml").toString(),
                "--pcap", "client=" + CASE.resolve("client.pcap"), "--pcap", "server=" + garbage);
        assertNotEquals(0, code, "a capture that cannot be read fails the run");
        assertEquals(before, runTopics(""), "the cluster's topics as they were: the run's own deleted, no other made");
    }

    /** Ctrl-C: SIGINT to a `wirewatch analyze` in a JVM of its own once its topics exist. */
    @Test
    void anInterruptedRunDeletesItsTopics(@TempDir Path temp) throws Exception {
        Path log = temp.resolve("analyze.log");
        Path bulk = Path.of("../deploy/captures/bulk-transfer/client.pcap");
        Process analyze = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "dev.wirewatch.app.Main", "analyze", "--bootstrap-servers",
                broker.bootstrapServers(), "--pcap", "client=" + bulk, "--pcap", "client=" + CASE.resolve("client.pcap"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (runTopics("ww-analyze-").isEmpty() && analyze.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(analyze.isAlive(), "still running when its topics appear: " + Files.readString(log));
            new ProcessBuilder("kill", "-INT", Long.toString(analyze.pid())).inheritIO().start().waitFor();
            assertTrue(analyze.waitFor(90, TimeUnit.SECONDS), "analyze stops on SIGINT");
        } finally {
            analyze.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(130, analyze.exitValue(), "interrupted, not finished: " + output);
        assertTrue(output.contains("deleted this run's"), output);
        assertEquals(List.of(), runTopics("ww-analyze-"));
    }

    /** --topic-prefix keeps the run's topics: export then finds the alert and its packets there, as README shows. */
    @Test
    void aChosenPrefixKeepsTheTopicsForExport(@TempDir Path temp) throws Exception {
        Path out = temp.resolve("alerts.jsonl");
        assertEquals(0, Main.run("analyze", "--bootstrap-servers", broker.bootstrapServers(), "--topic-prefix", "case1.",
                "--topology", CASE.resolve("topology.yaml").toString(), "--format", "jsonl", "--out", out.toString(),
                "--pcap", "client=" + CASE.resolve("client.pcap"), "--pcap", "server=" + CASE.resolve("server.pcap")));
        assertTrue(runTopics("case1.").containsAll(List.of("case1.ww.packets", "case1.ww.alerts")), runTopics("case1.").toString());
        assertTrue(runTopics("case1.").stream().noneMatch(topic -> topic.contains("changelog")),
                "the processor's state is still removed: " + runTopics("case1."));
        String id = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Files.readAllLines(out).get(0)).get("id").asText();
        Path pcapng = temp.resolve("syn.pcapng");
        assertEquals(0, Main.run("export", "--bootstrap-servers", broker.bootstrapServers(), "--topic-prefix", "case1.",
                "--alert", id, "-w", pcapng.toString()));
        assertTrue(Files.size(pcapng) > 0);
        assertEquals(List.of(), runTopics("ww-analyze-"), "no per-run topics besides");
    }

    private static List<String> runTopics(String prefix) throws Exception {
        try (Admin admin = Admin.create(clientConfig)) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS).stream().filter(topic -> topic.startsWith(prefix))
                    .sorted().toList();
        }
    }
}
