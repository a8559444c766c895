package dev.wirewatch.processor.detect;

import static dev.wirewatch.processor.Packets.ACK;
import static dev.wirewatch.processor.Packets.RST;
import static dev.wirewatch.processor.detect.TwoSidedSession.BOTH;
import static dev.wirewatch.processor.detect.TwoSidedSession.S;
import static dev.wirewatch.processor.detect.TwoSidedSession.T0;
import static dev.wirewatch.processor.detect.TwoSidedSession.TOPOLOGY;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wirewatch.processor.Packets;
import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.flow.ConnectionBudget;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.FlowRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Established connections stay known while idle for hours, within the instance's connection budget. */
class IdleConnectionsTest {
    private static final long HOUR = 3600 * S;

    @Test
    void aSessionThatResumesAfterTwoHoursOfIdleIsStillTheSameConnection() {
        try (ProcessorDriver driver = new ProcessorDriver(TOPOLOGY, ProcessorConfig.DEFAULTS)) {
            TwoSidedSession session = new TwoSidedSession(driver, 41000).established(T0);
            driver.tickEvery(10 * S, T0, T0 + 2 * HOUR, "client", "server");
            session.fromClient(T0 + 2 * HOUR + S, ACK, 6, List.of("client")); // a middlebox forgot it: lost
            session.fromClient(T0 + 2 * HOUR + 2 * S, RST | ACK, 0, List.of("client"));
            driver.tick(T0 + 2 * HOUR, T0 + 2 * HOUR + 140 * S, "client", "server");

            assertEquals(List.of(), driver.flows(), "nothing closed: the idle session was not forgotten");
            List<Alert> halfOpen = driver.alerts().stream()
                    .filter(alert -> alert.getType().equals(HalfOpenSessionDetector.TYPE)).toList();
            assertEquals(1, halfOpen.size(), driver.alerts().toString());
            assertEquals("server", halfOpen.get(0).getHost());
        }
    }

    @Test
    void anIdleSessionIsForgottenAtTheIdleTimeout() throws Exception {
        try (ProcessorDriver driver = new ProcessorDriver(TOPOLOGY, ProcessorDriver.config("tcp-idle-timeout: 30m\n"))) {
            new TwoSidedSession(driver, 41000).established(T0);
            driver.tickEvery(10 * S, T0, T0 + 29 * 60 * S, "client", "server");
            assertEquals(List.of(), driver.flows());
            driver.tickEvery(10 * S, T0 + 29 * 60 * S, T0 + 31 * 60 * S, "client", "server");
            assertEquals(1, driver.flows().size());
        }
    }

    @Test
    void overTheBudgetTheLongestIdleConnectionsAreForgottenFirstAndCounted() throws Exception {
        try (ProcessorDriver driver = new ProcessorDriver(TOPOLOGY, ProcessorDriver.config("connection-budget: 3\n"))) {
            for (int i = 0; i < 5; i++) {
                new TwoSidedSession(driver, 41000 + i).established(T0 + i * 10 * S);
                driver.tick(T0 + i * 10 * S, T0 + i * 10 * S, "client", "server");
            }
            driver.tick(T0 + 40 * S, T0 + 42 * S, "client", "server");

            List<Integer> forgotten = driver.flows().stream().map(FlowRecord::getClientPort).sorted().toList();
            assertEquals(List.of(41000, 41001), forgotten, "the two idle longest");
            assertEquals(2.0, driver.metric("connections-evicted-total", ConnectionBudget.METRICS_GROUP));
            assertEquals(3.0, driver.metric("connections", ConnectionBudget.METRICS_GROUP));
            assertEquals(List.of(), driver.alerts(), "forgetting is not a finding");
        }
    }

    /** A connection opened first but busy since is not idle: its timer, armed at its first packets, does not count. */
    @Test
    void aBusyConnectionOpenedFirstIsNotTakenForTheLongestIdle() {
        try (ProcessorDriver driver = new ProcessorDriver(TOPOLOGY, ProcessorDriver.config("connection-budget: 3\n"))) {
            TwoSidedSession busy = new TwoSidedSession(driver, 41000).established(T0);
            for (int i = 1; i < 5; i++) {
                new TwoSidedSession(driver, 41000 + i).established(T0 + i * 10 * S);
                busy.fromClient(T0 + i * 10 * S + 100, ACK, 6, BOTH);
                driver.tick(T0 + i * 10 * S, T0 + i * 10 * S, "client", "server");
            }
            driver.tick(T0 + 40 * S, T0 + 42 * S, "client", "server");

            List<Integer> forgotten = driver.flows().stream().map(FlowRecord::getClientPort).sorted().toList();
            assertEquals(List.of(41001, 41002), forgotten);
        }
    }

    /** Linux's defaults from one vantage: probes after 2 h of idle, 75 s apart, unanswered, then a reset. */
    @Test
    void keepAliveProbesAfterTwoHoursOfIdleAreRecognisedFromOneVantage() {
        List<String> clientOnly = List.of("client");
        try (ProcessorDriver driver = new ProcessorDriver(TOPOLOGY, ProcessorDriver.config("keepalive-probes: 3\n"))) {
            TwoSidedSession session = new TwoSidedSession(driver, 41000);
            session.fromClient(T0, Packets.SYN, 0, clientOnly);
            session.fromServer(T0 + 100, Packets.SYN | ACK, 0, clientOnly);
            session.fromClient(T0 + 200, ACK, 0, clientOnly);
            driver.tickEvery(10 * S, T0, T0 + 2 * HOUR, "client");
            for (int probe = 0; probe < 3; probe++) {
                session.keepAliveFromClient(T0 + 2 * HOUR + probe * 75 * S, clientOnly);
                driver.tickEvery(S, T0 + 2 * HOUR + probe * 75 * S, T0 + 2 * HOUR + (probe + 1) * 75 * S - S, "client");
            }
            session.fromClient(T0 + 2 * HOUR + 225 * S, RST, 0, clientOnly);
            driver.tick(T0 + 2 * HOUR + 225 * S, T0 + 2 * HOUR + 240 * S, "client");

            List<Alert> keepAlive = driver.alerts().stream()
                    .filter(alert -> alert.getType().equals(KeepAliveUnansweredDetector.TYPE)).toList();
            assertEquals(1, keepAlive.size(), driver.alerts().toString());
            assertEquals(3, keepAlive.get(0).getCount());
            assertEquals("client", keepAlive.get(0).getHost());
        }
    }
}
