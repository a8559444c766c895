package dev.wirewatch.processor.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.sensor.CaptureMerge;
import dev.wirewatch.sensor.FileEventSource;
import dev.wirewatch.sensor.emit.EmissionMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SENSOR_COVERAGE_GAP on seed case 2 as real kernels made it (deploy/samples/02-wrong-interface): the client's
 * capture holds answered connections with 198.51.100.20, the server's capture on eth1 none of that address (tshark
 * says so). On a veth pair the server's eth0 carries exactly what the client's capture holds, so replaying that file
 * as the server's `any` capture stands for a sensor on `any`: then there is no gap.
 */
class SensorCoverageGapTest {
    private static final Path CASE = Path.of(System.getProperty("wirewatch.samples", "../deploy/samples"))
            .resolve("02-wrong-interface");
    private static final String PUBLIC = "198.51.100.20";

    /** Replays (host, interface, file) triples through the real topology. */
    private static List<Alert> gaps(String[]... captures) {
        assumeTrue(Files.isDirectory(CASE), "sample case 2");
        List<CaptureMerge.NamedSource> sources = new ArrayList<>();
        try (ProcessorDriver driver = new ProcessorDriver(NetworkTopology.load(CASE.resolve("topology.yaml")),
                ProcessorConfig.DEFAULTS)) {
            for (String[] capture : captures) {
                sources.add(new CaptureMerge.NamedSource(capture[0],
                        new FileEventSource(CASE.resolve(capture[2]), capture[0], capture[1])));
            }
            CaptureMerge.replay(sources, driver.sink(), EmissionMode.CONTROL, count -> { });
            return driver.alerts().stream().filter(alert -> alert.getType().equals(SensorCoverageGapDetector.TYPE))
                    .toList();
        } finally {
            sources.forEach(source -> source.events().close());
        }
    }

    private static int tsharkCount(String file, String filter) throws Exception {
        Process tshark = new ProcessBuilder("tshark", "-n", "-r", CASE.resolve(file).toString(), "-Y", filter, "-T",
                "fields", "-e", "frame.number").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        int count = (int) new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .filter(line -> !line.isBlank()).count();
        assertTrue(tshark.waitFor(60, TimeUnit.SECONDS));
        return count;
    }

    @Test
    void theServerCapturingItsInternalNicIsReportedOnceForItsPublicAddress() throws Exception {
        assumeTrue(Files.isDirectory(CASE), "sample case 2");
        assertTrue(tsharkCount("client.pcap", "ip.src == " + PUBLIC) > 0, "the server answered the client");
        assertEquals(0, tsharkCount("server@eth1.pcap", "ip.addr == " + PUBLIC), "the server's capture lacks it");
        assertTrue(tsharkCount("server@eth1.pcap", "ip") > 0, "the server's sensor was capturing all along");

        List<Alert> gaps = gaps(new String[] {"client", "eth0", "client.pcap"},
                new String[] {"server", "eth1", "server@eth1.pcap"});
        assertEquals(1, gaps.size(), gaps.toString());
        assertEquals("server", gaps.get(0).getHost());
        assertEquals(PUBLIC, gaps.get(0).getIp());
        assertEquals(List.of("client"), gaps.get(0).getObservedBy());
    }

    @Test
    void aServerSensorOnAnyHasNoGap() {
        assertEquals(List.of(), gaps(new String[] {"client", "eth0", "client.pcap"},
                new String[] {"server", "any", "client.pcap"}, new String[] {"server", "eth1", "server@eth1.pcap"}));
    }

    @Test
    void anUnmonitoredServerHasNoGap() {
        assertEquals(List.of(), gaps(new String[] {"client", "eth0", "client.pcap"}));
    }
}
