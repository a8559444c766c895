package dev.wirewatch.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Evidence;
import dev.wirewatch.record.Severity;
import dev.wirewatch.sink.AlertSubject;
import dev.wirewatch.sink.output.TextBlock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What an alert is about is chosen in one place (AlertSubject): the demo's line and the text output agree. */
class AlertSubjectInEveryOutputTest {
    private static Alert alert(String server, String ip, String dstIp) {
        return Alert.newBuilder().setId("0123456789abcdef0123").setType("SENSOR_COVERAGE_GAP").setSeverity(Severity.warning)
                .setHost("server").setServer(server).setIp(ip).setDstIp(dstIp).setClient("198.51.100.10:40000")
                .setFirstSeenMicros(1_700_000_000_000_001L).setLastSeenMicros(1_700_000_000_000_001L).setCount(3)
                .setSummary("server's sensor saw none of it").setHint("capture where it lives")
                .setEvidence(List.of(Evidence.newBuilder().setHost("client").setIface("eth0")
                        .setTsMicros(1_700_000_000_000_001L).setLine("history ShADadFf").build()))
                .build();
    }

    @Test
    void theDemoLineAndTheTextOutputNameTheSameSubject() {
        // a coverage gap names the service and the address the host's sensor missed: both outputs lead with the service
        Alert both = alert("198.51.100.20:443", "198.51.100.20", null);
        assertEquals("198.51.100.20:443", AlertSubject.named(both));
        assertTrue(DemoCommand.oneLine(both).startsWith("SENSOR_COVERAGE_GAP 198.51.100.20:443 on server"),
                DemoCommand.oneLine(both));
        assertTrue(TextBlock.of(both).startsWith("WARNING  SENSOR_COVERAGE_GAP  198.51.100.20:443  on server"),
                TextBlock.of(both));

        Alert destination = alert(null, null, "10.0.0.1");
        assertTrue(DemoCommand.oneLine(destination).startsWith("SENSOR_COVERAGE_GAP 10.0.0.1 on server"),
                DemoCommand.oneLine(destination));
        assertTrue(TextBlock.of(destination).startsWith("WARNING  SENSOR_COVERAGE_GAP  10.0.0.1  on server"),
                TextBlock.of(destination));
        assertEquals("10.0.0.1", AlertSubject.address(destination));

        Alert hostOnly = alert(null, null, null);
        assertEquals("server", AlertSubject.headline(hostOnly));
        assertTrue(DemoCommand.oneLine(hostOnly).startsWith("SENSOR_COVERAGE_GAP on server"), DemoCommand.oneLine(hostOnly));
    }
}
