package dev.wirewatch.processor.detect;

import static dev.wirewatch.processor.Packets.ACK;
import static dev.wirewatch.processor.Packets.FIN;
import static dev.wirewatch.processor.Packets.RST;
import static dev.wirewatch.processor.Packets.SYN;
import static dev.wirewatch.processor.Packets.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Evidence;
import dev.wirewatch.record.FlowRecord;
import dev.wirewatch.schemas.Addresses;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionRefusedDetectorTest {
    static final long T0 = 1_700_000_000_000_000L;
    static final long S = 1_000_000L;
    static final String SERVER = "198.51.100.20";

    private static void refused(ProcessorDriver driver, long at, String client, int clientPort) {
        driver.send(tcp("client", at, client, clientPort, SERVER, 8080, SYN, 1000, 0, 0));
        driver.send(tcp("client", at + 200, SERVER, 8080, client, clientPort, RST | ACK, 0, 1001, 0));
    }

    private static void accepted(ProcessorDriver driver, long at, String client, int clientPort, int port) {
        driver.send(tcp("client", at, client, clientPort, SERVER, port, SYN, 1000, 0, 0));
        driver.send(tcp("client", at + 100, SERVER, port, client, clientPort, SYN | ACK, 5000, 1001, 0));
        driver.send(tcp("client", at + 200, client, clientPort, SERVER, port, ACK, 1001, 5001, 0));
        driver.send(tcp("client", at + 300, client, clientPort, SERVER, port, FIN | ACK, 1001, 5001, 0));
        driver.send(tcp("client", at + 400, SERVER, port, client, clientPort, FIN | ACK, 5001, 1002, 0));
        driver.send(tcp("client", at + 500, client, clientPort, SERVER, port, ACK, 1002, 5002, 0));
    }

    @Test
    void refusedSynsAreReportedOncePerServiceAndWindowWithClientsAndAcceptingPorts() {
        try (ProcessorDriver driver = new ProcessorDriver(ProcessorDriver.topology("""
                hosts:
                  server:
                    interfaces:
                      eth0: {addresses: [198.51.100.20/24]}
                """), ProcessorConfig.DEFAULTS)) {
            accepted(driver, T0, "198.51.100.30", 50000, 8081);
            refused(driver, T0 + S, "198.51.100.10", 40001);
            refused(driver, T0 + 2 * S, "198.51.100.10", 40002);
            refused(driver, T0 + 3 * S, "198.51.100.11", 40003);
            driver.tick(T0, T0 + 120 * S, "client");
            // the client's sensor and the server's missing one are told apart from the topology (info, once each)
            List<Alert> alerts = driver.alerts().stream().filter(alert -> !alert.getType().equals("SENSOR_NOT_IN_TOPOLOGY")
                    && !alert.getType().equals("HOST_NOT_MONITORED")).toList();
            assertEquals(1, alerts.size(), alerts.toString());
            Alert alert = alerts.get(0);
            assertEquals("CONNECTION_REFUSED", alert.getType());
            assertEquals(SERVER + ":8080", alert.getServer());
            assertEquals("server", alert.getHost());
            assertEquals(3, alert.getCount());
            assertEquals(2L, alert.getDistinctClients());
            assertEquals(List.of(8081), alert.getAcceptingPorts());
            assertTrue(alert.getHint().contains("8081"), alert.getHint());
        }
    }

    /** A refusal that reaches the detector after its window was reported (a slow partition) does not repeat it. */
    @Test
    void aWindowIsReportedOnceEvenWhenARefusalArrivesLate() {
        try (ProcessorDriver driver = new ProcessorDriver(NetworkTopology.EMPTY, ProcessorConfig.DEFAULTS)) {
            refused(driver, T0, "198.51.100.7", 40000);
            driver.tick(T0, T0 + 120 * S, "client");
            List<Alert> first = driver.alerts();
            assertEquals(1, first.size());
            refused(driver, T0 + 2 * S, "198.51.100.8", 40001); // capture time inside the reported window
            driver.tick(T0 + 121 * S, T0 + 240 * S, "client");
            driver.endOfInput(T0 + 241 * S, "client");
            assertEquals(List.of(), driver.alerts(), "the same window is not reported twice");
        }
    }

    /**
     * Kafka Streams may process many ticks before it runs the stream-time punctuator. The progress a flow
     * partition passes on must not run ahead of the flows it has yet to close: here the second refusal on the same
     * ports is closed by its timer, and one tick jumps far past the window (the pop3 trace hit this in CI).
     */
    @Test
    void progressNeverOvertakesAFlowThatIsDueToClose() {
        try (ProcessorDriver driver = new ProcessorDriver(NetworkTopology.EMPTY, ProcessorConfig.DEFAULTS)) {
            refused(driver, T0, "198.51.100.7", 40000);
            refused(driver, T0 + S / 2, "198.51.100.7", 40000); // a new SYN on the same ports closes the first
            driver.sink().tick("client", T0 + 120 * S, false);
            driver.endOfInput(T0 + 121 * S, "client");
            List<Alert> alerts = driver.alerts();
            assertEquals(1, alerts.size(), alerts.toString());
            assertEquals(2, alerts.get(0).getCount(), "both refusals counted in their window");
        }
    }

    /**
     * Closed flows reach the service stage from every flow task, in an order that depends on how far each task is
     * (several processors, a replay): the evidence is the earliest refusals in capture order whatever that order.
     */
    @Test
    void evidenceIsTheEarliestRefusalsInCaptureOrderWhateverOrderTheFlowsArriveIn() {
        List<FlowRecord> closed;
        try (ProcessorDriver driver = new ProcessorDriver(NetworkTopology.EMPTY, ProcessorConfig.DEFAULTS)) {
            for (int i = 0; i < 7; i++) {
                refused(driver, T0 + i * S, "198.51.100." + (10 + i), 40000 + i);
            }
            driver.endOfInput(T0 + 8 * S, "client");
            closed = new ArrayList<>(driver.flows());
        }
        Collections.reverse(closed);
        try (ProcessorDriver driver = new ProcessorDriver(NetworkTopology.EMPTY, ProcessorConfig.DEFAULTS)) {
            for (FlowRecord flow : closed) {
                driver.sendToServiceStage(Addresses.parse(flow.getServer()), flow, flow.getLastSeenMicros());
            }
            driver.endOfInput(T0 + 8 * S, "client");
            List<Alert> alerts = driver.alerts();
            assertEquals(1, alerts.size(), alerts.toString());
            assertEquals(7, alerts.get(0).getCount());
            assertEquals(List.of(T0, T0 + S, T0 + 2 * S, T0 + 3 * S, T0 + 4 * S),
                    alerts.get(0).getEvidence().stream().map(Evidence::getTsMicros).toList());
        }
    }

    @Test
    void atTheEndOfTheInputOpenWindowsAreReported() {
        try (ProcessorDriver driver = new ProcessorDriver(ProcessorDriver.topology("hosts: {}\n"), ProcessorConfig.DEFAULTS)) {
            refused(driver, T0, "198.51.100.10", 40001);
            driver.endOfInput(T0 + S, "client");
            List<Alert> alerts = driver.alerts();
            assertEquals(1, alerts.size(), alerts.toString());
            assertEquals(List.of(), alerts.get(0).getAcceptingPorts());
        }
    }

    @Test
    void healthyConnectionsGiveNoAlert() {
        try (ProcessorDriver driver = new ProcessorDriver(ProcessorDriver.topology("hosts: {}\n"), ProcessorConfig.DEFAULTS)) {
            for (int i = 0; i < 5; i++) {
                accepted(driver, T0 + i * S, "198.51.100.10", 40000 + i, 443);
            }
            driver.tick(T0, T0 + 120 * S, "client");
            driver.endOfInput(T0 + 121 * S, "client");
            assertEquals(List.of(), driver.alerts());
            assertEquals(5, driver.flows().size());
        }
    }
}
