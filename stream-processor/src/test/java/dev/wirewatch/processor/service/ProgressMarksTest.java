package dev.wirewatch.processor.service;

import static dev.wirewatch.processor.Packets.ACK;
import static dev.wirewatch.processor.Packets.RST;
import static dev.wirewatch.processor.Packets.SYN;
import static dev.wirewatch.processor.Packets.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Tick;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stages' progress marks and the sensors' ticks share the Tick record; their names tell them apart. */
class ProgressMarksTest {
    private static final long T0 = 1_700_000_000_000_000L;
    private static final long S = 1_000_000L;

    @Test
    void marksNameTheirStageAndPartition() {
        Tick flow = ProgressMarks.flowStage(3, T0, false);
        assertEquals("partition-3", flow.getHost());
        assertTrue(ProgressMarks.isFlowStage(flow));
        Tick ended = ProgressMarks.serviceStageEnded(2, T0);
        assertEquals("services-2", ProgressMarks.key(ended));
        assertTrue(ended.getEndOfInput());
        assertFalse(ProgressMarks.isFlowStage(ended));
        assertFalse(ProgressMarks.isFlowStage(Tick.newBuilder().setHost("client").setTsMicros(T0).build()));
    }

    /**
     * A sensor's tick that reaches the service stage's topic (a producer pointed at the wrong topic) is no upstream
     * partition: it neither holds the stage's watermark back nor keeps it from the end of the input.
     */
    @Test
    void aSensorsTickOnTheServiceStagesTopicDoesNotHoldItsWatermark() {
        try (ProcessorDriver driver = new ProcessorDriver(NetworkTopology.EMPTY, ProcessorConfig.DEFAULTS)) {
            driver.sendToServiceStage("stray".getBytes(StandardCharsets.UTF_8),
                    Tick.newBuilder().setHost("stray-sensor").setTsMicros(T0).setEndOfInput(false).build(), T0);
            driver.send(tcp("client", T0 + S, "198.51.100.7", 40000, "198.51.100.20", 8080, SYN, 1000, 0, 0));
            driver.send(tcp("client", T0 + S + 200, "198.51.100.20", 8080, "198.51.100.7", 40000, RST | ACK, 0, 1001, 0));
            driver.tick(T0, T0 + 120 * S, "client");
            driver.endOfInput(T0 + 121 * S, "client");
            List<String> refused = driver.alerts().stream().map(Alert::getType)
                    .filter(type -> type.equals("CONNECTION_REFUSED")).toList();
            assertEquals(List.of("CONNECTION_REFUSED"), refused);
        }
    }
}
