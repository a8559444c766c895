package dev.wirewatch.processor.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.SampleCase;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.record.Alert;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SENSOR_COVERAGE_GAP on seed case 2 as real kernels made it (deploy/samples/02-wrong-interface): the client's
 * capture holds answered connections with 198.51.100.20, the server's capture on eth1 none of that address (tshark
 * says so). On a veth pair the server's eth0 carries exactly what the client's capture holds, so replaying that file
 * as the server's `any` capture stands for a sensor on `any`: then there is no gap.
 */
class SensorCoverageGapTest {
    private static final String PUBLIC = "198.51.100.20";
    private static final SampleCase.Capture CLIENT = new SampleCase.Capture("client", "eth0", "client.pcap");
    private static final SampleCase.Capture SERVER_ETH1 = new SampleCase.Capture("server", "eth1", "server@eth1.pcap");

    private static List<Alert> gaps(SampleCase.Capture... captures) {
        return new SampleCase("02-wrong-interface").alerts(ProcessorConfig.DEFAULTS, captures).stream()
                .filter(alert -> alert.getType().equals(SensorCoverageGapDetector.TYPE)).toList();
    }

    private static int tsharkCount(String file, String filter) throws Exception {
        return new SampleCase("02-wrong-interface").tshark(file, filter, "frame.number").size();
    }

    @Test
    void theServerCapturingItsInternalNicIsReportedOnceForItsPublicAddress() throws Exception {
        assertTrue(tsharkCount("client.pcap", "ip.src == " + PUBLIC) > 0, "the server answered the client");
        assertEquals(0, tsharkCount("server@eth1.pcap", "ip.addr == " + PUBLIC), "the server's capture lacks it");
        assertTrue(tsharkCount("server@eth1.pcap", "ip") > 0, "the server's sensor was capturing all along");

        List<Alert> gaps = gaps(CLIENT, SERVER_ETH1);
        assertEquals(1, gaps.size(), gaps.toString());
        assertEquals("server", gaps.get(0).getHost());
        assertEquals(PUBLIC, gaps.get(0).getIp());
        assertEquals(List.of("client"), gaps.get(0).getObservedBy());
    }

    @Test
    void aServerSensorOnAnyHasNoGap() {
        assertEquals(List.of(), gaps(CLIENT, new SampleCase.Capture("server", "any", "client.pcap"), SERVER_ETH1));
    }

    @Test
    void anUnmonitoredServerHasNoGap() {
        assertEquals(List.of(), gaps(CLIENT));
    }
}
