package dev.wirewatch.processor.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.TestCaptures;
import dev.wirewatch.processor.TraceReplay;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.flow.ZeekBaselines;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The real pop3 capture: every server that Zeek logged REJ for gets one CONNECTION_REFUSED with Zeek's count. */
class Pop3RefusalsTest {
    @Test
    void eachServerThatRejectedGetsOneAlertCountingZeeksRejConnections() {
        Path traces = TestCaptures.traces();
        Map<String, Long> rejectedByServer = new TreeMap<>();
        ZeekBaselines.connLog(traces.resolve("zeek_pop3_REJ.conn.log")).stream()
                .filter(row -> row.get("conn_state").equals("REJ"))
                .forEach(row -> rejectedByServer.merge(row.get("id.resp_h") + ":" + row.get("id.resp_p"), 1L, Long::sum));
        try (ProcessorDriver driver = new ProcessorDriver(NetworkTopology.EMPTY, ProcessorConfig.DEFAULTS)) {
            TraceReplay.replay(driver, "client", traces.resolve("zeek_pop3_REJ.pcap"));
            List<Alert> alerts = driver.alerts();
            Map<String, Long> reported = new TreeMap<>();
            alerts.stream().filter(alert -> alert.getType().equals("CONNECTION_REFUSED"))
                    .forEach(alert -> reported.merge(alert.getServer(), alert.getCount(), Long::sum));
            assertEquals(rejectedByServer, reported);
            assertEquals(rejectedByServer.size(), alerts.size(), "one alert per server: " + alerts);
        }
    }
}
