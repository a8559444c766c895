package dev.wirewatch.processor.detect;

import static dev.wirewatch.processor.Packets.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.Packets;
import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.SampleCase;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.PacketEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * ROUTE_MISMATCH on seed case 5 as real kernels made it (deploy/samples/05-dual-nic-no-route), against tshark's
 * reading of the host's two captures, and on crafted SYNs for the traps: a single-homed host, a sensor capturing
 * {@code any}, an internal destination reached from the internal NIC.
 */
class RouteMismatchDetectorTest {
    private static final long T0 = 1_700_000_000_000_000L;
    private static final String DUAL = """
            hosts:
              dual:
                interfaces:
                  eth0: {addresses: [198.51.100.10/24], gateway: 198.51.100.1}
                  eth1: {addresses: [10.1.0.10/24], gateway: 10.1.0.1}
              single:
                interfaces:
                  eth0: {addresses: [198.51.100.20/24], gateway: 198.51.100.1}
            """;

    /** Every mismatched flow is reported, not only the first per destination: the test counts them. */
    private static ProcessorConfig reportEveryFlow() throws Exception {
        Path file = Files.createTempFile("config", ".yaml");
        Files.writeString(file, "route-mismatch-repeat: 1ms\n");
        return ProcessorConfig.load(file);
    }

    private static List<Alert> mismatches(List<Alert> alerts) {
        return alerts.stream().filter(alert -> alert.getType().equals(RouteMismatchDetector.TYPE)).toList();
    }

    @Test
    void theRecordedHostIsReportedForEveryConnectionThatLeftByItsPublicNic() throws Exception {
        SampleCase case5 = new SampleCase("05-dual-nic-no-route");
        String internalSyn = "tcp.flags.syn == 1 && tcp.flags.ack == 0 && (ip.dst == 10.0.0.0/8 || "
                + "ip.dst == 172.16.0.0/12 || ip.dst == 192.168.0.0/16 || ip.dst == 100.64.0.0/10)";
        List<String[]> outside = case5.tshark("host@eth0.pcap", internalSyn, "tcp.stream", "ip.dst");
        List<String[]> inside = case5.tshark("host@eth1.pcap", internalSyn, "tcp.stream", "ip.dst");
        assertTrue(!outside.isEmpty() && !inside.isEmpty(), "the recording has connections on both NICs");
        long expected = outside.stream().map(row -> row[0]).distinct().count();

        List<Alert> alerts = mismatches(case5.alerts(reportEveryFlow(),
                new SampleCase.Capture("host", "eth0", "host@eth0.pcap"),
                new SampleCase.Capture("host", "eth1", "host@eth1.pcap"),
                new SampleCase.Capture("server", "eth0", "server.pcap")));
        assertEquals(expected, alerts.size(), alerts.toString());
        TreeSet<String> destinations = outside.stream().map(row -> row[1])
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(destinations, alerts.stream().map(alert -> alert.getDstIp().toString())
                .collect(Collectors.toCollection(TreeSet::new)));
        alerts.forEach(alert -> assertEquals("host", alert.getHost()));
        assertTrue(alerts.get(0).getHint().contains("ip route add 10.0.0.0/8 via 10.1.0.1 dev eth1"), alerts.get(0).getHint());
        assertTrue(alerts.get(0).getHint().contains("route -p add 10.0.0.0 mask 255.0.0.0 10.1.0.1"), alerts.get(0).getHint());
    }

    private static List<Alert> syn(String host, String iface, String src, String dst) {
        try (ProcessorDriver driver = new ProcessorDriver(ProcessorDriver.topology(DUAL), ProcessorConfig.DEFAULTS)) {
            PacketEvent packet = Packets.tcp(host, T0, src, 40000, dst, 8080, SYN, 1, 0, 0);
            packet.setIface(iface);
            driver.send(packet);
            driver.tick(T0, T0 + 10_000_000, host);
            driver.endOfInput(T0 + 11_000_000, host);
            return mismatches(driver.alerts());
        }
    }

    @Test
    void onlyADualHomedHostLeavingByItsPublicNicForAnInternalAddressIsAMismatch() {
        assertEquals(1, syn("dual", "eth0", "198.51.100.10", "10.2.0.5").size());
        assertEquals(List.of(), syn("dual", "eth1", "10.1.0.10", "10.2.0.5"), "left by the internal NIC");
        assertEquals(List.of(), syn("dual", "eth0", "198.51.100.10", "203.0.113.7"), "a public destination");
        assertEquals(List.of(), syn("single", "eth0", "198.51.100.20", "10.2.0.5"), "a single-homed host");
        assertEquals(List.of(), syn("dual", "any", "198.51.100.10", "10.2.0.5"), "a sensor capturing any");
    }
}
