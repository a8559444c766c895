package dev.wirewatch.processor.detect;

import static dev.wirewatch.processor.Packets.ACK;
import static dev.wirewatch.processor.Packets.RST;
import static dev.wirewatch.processor.Packets.SYN;
import static dev.wirewatch.processor.Packets.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Tick;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnansweredSynDetectorTest {
    static final long T0 = 1_700_000_000_000_000L;
    static final long S = 1_000_000L;
    static final String CLIENT = "198.51.100.10";
    static final String SERVER = "198.51.100.20";
    static final NetworkTopology BOTH_MONITORED = ProcessorDriver.topology("""
            hosts:
              client:
                interfaces:
                  eth0: {addresses: [198.51.100.10/24]}
              server:
                interfaces:
                  eth0: {addresses: [198.51.100.20/24]}
                capture: [eth0]
            """);
    static final NetworkTopology CLIENT_ONLY = ProcessorDriver.topology("""
            hosts:
              client:
                interfaces:
                  eth0: {addresses: [198.51.100.10/24]}
            """);

    /** Linux 6.x: a SYN and four retransmissions about a second apart, each seen by the listed sensors. */
    private static void synRetries(ProcessorDriver driver, int attempts, String... seenBy) {
        for (int i = 0; i < attempts; i++) {
            for (String host : seenBy) {
                long skew = host.equals("server") ? 300 : 0;
                driver.send(tcp(host, T0 + i * S + skew, CLIENT, 40000, SERVER, 8080, SYN, 1000, 0, 0));
            }
        }
    }

    private static List<Alert> run(NetworkTopology network, java.util.function.Consumer<ProcessorDriver> traffic) {
        try (ProcessorDriver driver = new ProcessorDriver(network, ProcessorConfig.DEFAULTS)) {
            traffic.accept(driver);
            return driver.alerts();
        }
    }

    @Test
    void synsThatReachTheServerSensorAndAreNeverAnsweredAreDroppedAtTheServerHost() {
        List<Alert> alerts = run(BOTH_MONITORED, driver -> {
            synRetries(driver, 5, "client", "server");
            driver.tick(T0, T0 + 15 * S, "client", "server");
        });
        assertEquals(1, alerts.size(), alerts.toString());
        Alert alert = alerts.get(0);
        assertEquals("UNANSWERED_SYN", alert.getType());
        assertEquals("DROPPED_AT_SERVER_HOST", alert.getCause());
        assertEquals("server", alert.getHost());
        assertEquals(CLIENT + ":40000", alert.getClient());
        assertEquals(SERVER + ":8080", alert.getServer());
        assertEquals(5, alert.getCount());
        assertEquals(List.of("client", "server"), alert.getObservedBy());
        assertTrue(alert.getHint().contains("8080"), alert.getHint());
    }

    @Test
    void synsTheLiveServerSensorNeverSawWereLostBeforeTheServer() {
        List<Alert> alerts = run(BOTH_MONITORED, driver -> {
            synRetries(driver, 5, "client");
            driver.tick(T0, T0 + 15 * S, "client", "server");
        });
        assertEquals(1, alerts.size(), alerts.toString());
        assertEquals("LOST_BEFORE_SERVER", alerts.get(0).getCause());
        assertEquals("server", alerts.get(0).getMissingAt());
    }

    @Test
    void aSilentServerSensorIsNoEvidenceOfAbsence() {
        List<Alert> alerts = run(BOTH_MONITORED, driver -> {
            synRetries(driver, 5, "client");
            // the server's sensor never ticks: it may be down, or its records late; the verdict waits sensor-silence
            driver.tick(T0, T0 + 15 * S, "client");
            assertEquals(List.of(), driver.alerts(), "what the server saw could still come");
            driver.tick(T0 + 16 * S, T0 + 60 * S, "client");
        });
        assertEquals(1, alerts.size(), alerts.toString());
        assertEquals("NO_ANSWER", alerts.get(0).getCause());
        assertNull(alerts.get(0).getMissingAt());
    }

    /**
     * Issue 18: the server's veth was deleted and re-created under its sensor; SYNs that reached the server were
     * reported LOST_BEFORE_SERVER. Its ticks now name the interface it did not capture: no conclusion on the way.
     */
    @Test
    void aServerWhoseTicksSayItsInterfaceWasNotCapturedDuringTheSynsGivesNoLostBeforeServer() {
        List<Alert> alerts = run(BOTH_MONITORED, driver -> {
            synRetries(driver, 5, "client");
            for (long ts = T0; ts <= T0 + 15 * S; ts += S) {
                driver.tick(ts, ts, "client");
                boolean down = ts >= T0 + 2 * S && ts <= T0 + 4 * S; // capture of eth0 down for two seconds
                driver.send(Tick.newBuilder().setHost("server").setTsMicros(ts)
                        .setBlind(down ? List.of("eth0") : List.of()).build());
            }
        });
        assertEquals(1, alerts.size(), alerts.toString());
        assertEquals("NO_ANSWER", alerts.get(0).getCause());
        assertNull(alerts.get(0).getMissingAt());
        assertTrue(alerts.get(0).getSummary().contains("server's capture of eth0 was down"), alerts.get(0).getSummary());
    }

    @Test
    void aBlindSpanOnAnotherInterfaceOrAtAnotherTimeKeepsTheServerAsEvidence() {
        List<Alert> alerts = run(BOTH_MONITORED, driver -> {
            driver.send(Tick.newBuilder().setHost("server").setTsMicros(T0 - 3 * S).setBlind(List.of("eth0")).build());
            synRetries(driver, 5, "client");
            for (long ts = T0; ts <= T0 + 15 * S; ts += S) {
                driver.tick(ts, ts, "client");
                driver.send(Tick.newBuilder().setHost("server").setTsMicros(ts).setBlind(List.of("eth1")).build());
            }
        });
        assertEquals(1, alerts.size(), alerts.toString());
        assertEquals("LOST_BEFORE_SERVER", alerts.get(0).getCause());
    }

    @Test
    void aSynAckTheClientNeverSawWasLostOnReturn() {
        List<Alert> alerts = run(BOTH_MONITORED, driver -> {
            synRetries(driver, 5, "client", "server");
            for (int i = 0; i < 5; i++) {
                driver.send(tcp("server", T0 + i * S + 400, SERVER, 8080, CLIENT, 40000, SYN | ACK, 5000, 1001, 0));
            }
            driver.tick(T0, T0 + 15 * S, "client", "server");
        });
        assertEquals(1, alerts.size(), alerts.toString());
        assertEquals("SYNACK_LOST_ON_RETURN", alerts.get(0).getCause());
        assertEquals("client", alerts.get(0).getMissingAt());
    }

    @Test
    void withOnlyTheClientMonitoredTheCauseIsNoAnswer() {
        List<Alert> alerts = run(CLIENT_ONLY, driver -> {
            synRetries(driver, 5, "client");
            driver.tick(T0, T0 + 15 * S, "client");
        });
        assertEquals(1, alerts.size(), alerts.toString());
        assertEquals("NO_ANSWER", alerts.get(0).getCause());
        assertEquals("client", alerts.get(0).getHost());
    }

    @Test
    void aRetransmittedSynThatIsAnsweredLaterStaysSilent() {
        List<Alert> alerts = run(BOTH_MONITORED, driver -> {
            synRetries(driver, 3, "client", "server");
            driver.send(tcp("server", T0 + 2 * S + 500, SERVER, 8080, CLIENT, 40000, SYN | ACK, 5000, 1001, 0));
            driver.send(tcp("client", T0 + 2 * S + 600, SERVER, 8080, CLIENT, 40000, SYN | ACK, 5000, 1001, 0));
            driver.send(tcp("client", T0 + 2 * S + 700, CLIENT, 40000, SERVER, 8080, ACK, 1001, 5001, 0));
            driver.send(tcp("server", T0 + 2 * S + 800, CLIENT, 40000, SERVER, 8080, ACK, 1001, 5001, 0));
            driver.tick(T0, T0 + 30 * S, "client", "server");
        });
        assertEquals(List.of(), alerts);
    }

    @Test
    void aCaptureOfOneDirectionOnlyIsNoProofOfAnUnansweredSyn() {
        // The client's handshake ACK and data show the SYN-ACK came; this capture just did not hold it.
        List<Alert> alerts = run(CLIENT_ONLY, driver -> {
            driver.send(tcp("client", T0, CLIENT, 40000, SERVER, 8080, SYN, 1000, 0, 0));
            driver.send(tcp("client", T0 + 2000, CLIENT, 40000, SERVER, 8080, ACK, 1001, 5001, 0));
            driver.send(tcp("client", T0 + 3000, CLIENT, 40000, SERVER, 8080, ACK, 1001, 5001, 100));
            driver.tick(T0, T0 + 30 * S, "client");
        });
        assertEquals(List.of(), alerts);
    }

    @Test
    void theLastSynOfACaptureThatHadNoTimeToBeAnsweredStaysSilent() {
        List<Alert> alerts = run(BOTH_MONITORED, driver -> {
            driver.tick(T0, T0 + 10 * S, "client", "server");
            driver.send(tcp("client", T0 + 10 * S, CLIENT, 40000, SERVER, 8080, SYN, 1000, 0, 0));
            driver.send(tcp("server", T0 + 10 * S + 300, CLIENT, 40000, SERVER, 8080, SYN, 1000, 0, 0));
            driver.endOfInput(T0 + 10 * S + 500_000, "client", "server");
        });
        assertEquals(List.of(), alerts);
    }

    @Test
    void atTheEndOfTheInputRetriesThatSpannedTheTimeoutAreStillReported() {
        List<Alert> alerts = run(BOTH_MONITORED, driver -> {
            synRetries(driver, 6, "client", "server");
            driver.endOfInput(T0 + 5 * S + 500_000, "client", "server");
        });
        assertEquals(1, alerts.size(), alerts.toString());
        assertEquals("DROPPED_AT_SERVER_HOST", alerts.get(0).getCause());
        assertEquals(6, alerts.get(0).getCount());
    }

    @Test
    void aSynAnsweredByRstIsNotUnanswered() {
        List<Alert> alerts = run(BOTH_MONITORED, driver -> {
            driver.send(tcp("client", T0, CLIENT, 40000, SERVER, 8080, SYN, 1000, 0, 0));
            driver.send(tcp("client", T0 + 500, SERVER, 8080, CLIENT, 40000, RST | ACK, 0, 1001, 0));
            driver.tick(T0, T0 + 30 * S, "client", "server");
        });
        assertTrue(alerts.stream().noneMatch(alert -> alert.getType().equals("UNANSWERED_SYN")), alerts.toString());
    }

    @Test
    void theSameInputGivesTheSameAlertIdTwice() {
        java.util.function.Consumer<ProcessorDriver> traffic = driver -> {
            synRetries(driver, 5, "client", "server");
            driver.tick(T0, T0 + 15 * S, "client", "server");
        };
        assertEquals(run(BOTH_MONITORED, traffic).get(0).getId(), run(BOTH_MONITORED, traffic).get(0).getId());
    }
}
