package dev.wirewatch.processor.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Severity;
import dev.wirewatch.schemas.AvroSerde;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

/**
 * One id, one finding: a refinement goes out as the next revision, a repeat not at all (the step the processor puts
 * before each of its alert outputs, with its store).
 */
class AlertRevisionsTest {
    @Test
    void aRefinedFindingIsTheNextRevisionOfItsIdAndARepeatIsDropped() throws IOException {
        Topology topology = new Topology();
        AvroSerde<Alert> serde = AvroSerde.of(Alert.class);
        topology.addSource("in", Serdes.String().deserializer(), serde.deserializer(), "in")
                .addProcessor("revisions", () -> new AlertRevisions("revisions-store"), "in")
                .addStateStore(AlertRevisions.store("revisions-store"), "revisions")
                .addSink("out", "out", Serdes.String().serializer(), serde.serializer(), "revisions");
        Path state = Files.createTempDirectory("alert-revisions");
        Properties properties = new Properties();
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, "revisions");
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        properties.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, properties)) {
            TestInputTopic<String, Alert> in = driver.createInputTopic("in", Serdes.String().serializer(), serde.serializer());
            TestOutputTopic<String, Alert> out = driver.createOutputTopic("out", Serdes.String().deserializer(),
                    serde.deserializer());
            Alert first = unanswered("a", "NO_ANSWER", "client", 3);
            in.pipeInput("a", first, 1_000);
            in.pipeInput("a", first, 2_000);
            in.pipeInput("a", unanswered("a", "DROPPED_AT_SERVER_HOST", "server", 3), 3_000);
            in.pipeInput("b", unanswered("b", "NO_ANSWER", "client", 1), 3_000);
            in.pipeInput("a", unanswered("a", "DROPPED_AT_SERVER_HOST", "server", 5), 4_000);
            List<String> sent = new ArrayList<>();
            out.readValuesToList().forEach(alert -> sent.add(alert.getId() + " r" + alert.getRevision() + " "
                    + alert.getCause() + " " + alert.getCount()));
            assertEquals(List.of("a r1 NO_ANSWER 3", "a r2 DROPPED_AT_SERVER_HOST 3", "b r1 NO_ANSWER 1",
                    "a r3 DROPPED_AT_SERVER_HOST 5"), sent);
        } finally {
            Utils.delete(state.toFile());
        }
    }

    private static Alert unanswered(String id, String cause, String host, long count) {
        return Alert.newBuilder().setId(id).setType("UNANSWERED_SYN").setSeverity(Severity.warning).setCause(cause)
                .setHost(host).setClient("10.0.0.1:40000").setServer("10.0.0.2:80").setFirstSeenMicros(1_000_000)
                .setLastSeenMicros(1_000_000 + count).setCount(count).setSummary(count + " SYNs").setHint("h").build();
    }
}
