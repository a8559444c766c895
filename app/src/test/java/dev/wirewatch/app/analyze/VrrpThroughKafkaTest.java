package dev.wirewatch.app.analyze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wirewatch.app.Main;
import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.sensor.emit.EmissionMode;
import dev.wirewatch.sink.output.JsonLine;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.CommonClientConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Case 10 (a real keepalived pair, VRRP blocked towards the backup) end to end through a real Kafka broker: the
 * sensors ship VRRP advertisements to ww.l2, the processor finds the split brain and the unheard advertisements for
 * both routers, and the JSON line carries the VRRP fields. The ARP evidence of the same case still exports, with
 * VRRP advertisements beside the ARP on ww.l2.
 */
class VrrpThroughKafkaTest {
    @TempDir
    Path temp;

    @Test
    void theSplitBrainComesThroughKafkaWithItsFields() throws Exception {
        Path dir = Path.of(System.getProperty("wirewatch.samples", "../deploy/samples"))
                .resolve("10-vrrp-advertisements-blocked");
        List<Alert> alerts;
        try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3))) {
            Analysis analysis = new Analysis(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
                    broker.bootstrapServers()), EmissionMode.CONTROL, new PrintStream(System.out, true, StandardCharsets.UTF_8));
            alerts = analysis.run(List.of("node1", "node2", "peer").stream()
                            .map(host -> CaptureInput.parse(host + "=" + dir.resolve(host + ".pcap"))).toList(),
                    NetworkTopology.load(dir.resolve("topology.yaml")), ProcessorConfig.DEFAULTS);
            Alert conflict = alerts.stream().filter(alert -> alert.getType().equals("ARP_CONFLICT")).findFirst()
                    .orElseThrow(() -> new AssertionError("no ARP_CONFLICT: " + alerts));
            Path file = temp.resolve("arp.pcapng");
            assertEquals(0, Main.run("export", "--bootstrap-servers", broker.bootstrapServers(), "--alert",
                    conflict.getId(), "-w", file.toString()), "export of the ARP evidence");
            assertTrue(Files.size(file) > 0);
        }
        TreeSet<String> vrrp = new TreeSet<>();
        ObjectMapper json = new ObjectMapper();
        for (Alert alert : alerts) {
            JsonNode line = json.readTree(JsonLine.of(alert));
            if ("VRRP".equals(line.path("protocol").asText())) {
                vrrp.add(line.get("type").asText() + " vrid " + line.get("vrid").asInt() + " " + line.get("ip").asText()
                        + " " + line.get("host").asText() + " " + line.path("missing_at").asText("-") + " "
                        + line.path("masters") + " " + line.path("master_hosts"));
            }
        }
        assertEquals(new TreeSet<>(List.of(
                "ANNOUNCEMENT_NOT_PROPAGATED vrid 10 192.0.2.100 node1 node2  ",
                "ANNOUNCEMENT_NOT_PROPAGATED vrid 11 2001:db8:10::100 node1 node2  ",
                "VRRP_SPLIT_BRAIN vrid 10 192.0.2.100 node2 - [\"02:00:00:00:10:01\",\"02:00:00:00:10:02\"] [\"node1\",\"node2\"]",
                "VRRP_SPLIT_BRAIN vrid 11 2001:db8:10::100 node2 - [\"02:00:00:00:10:01\",\"02:00:00:00:10:02\"] [\"node1\",\"node2\"]")),
                vrrp, alerts.toString());
        assertTrue(alerts.stream().noneMatch(alert -> "peer".equals(alert.getMissingAt())), alerts.toString());
    }
}
