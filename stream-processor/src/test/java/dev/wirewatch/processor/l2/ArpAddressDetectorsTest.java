package dev.wirewatch.processor.l2;

import static dev.wirewatch.processor.l2.ArpTraffic.NODE1_MAC;
import static dev.wirewatch.processor.l2.ArpTraffic.NODE2_MAC;
import static dev.wirewatch.processor.l2.ArpTraffic.OTHER_MAC;
import static dev.wirewatch.processor.l2.ArpTraffic.S;
import static dev.wirewatch.processor.l2.ArpTraffic.T0;
import static dev.wirewatch.processor.l2.ArpTraffic.TOPOLOGY;
import static dev.wirewatch.processor.l2.ArpTraffic.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.detect.AnnouncementNotPropagatedDetector;
import dev.wirewatch.processor.detect.ArpConflictDetector;
import dev.wirewatch.processor.detect.ArpIpMovedDetector;
import dev.wirewatch.record.Alert;
import dev.wirewatch.sensor.emit.EmissionMode;
import dev.wirewatch.sensor.emit.SensorEmitter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ARP_IP_MOVED, ARP_CONFLICT and ANNOUNCEMENT_NOT_PROPAGATED through the real topology, on crafted ARP. */
class ArpAddressDetectorsTest {
    private static final String[] ALL = {"node1", "node2", "peer"};

    private static ProcessorDriver driver(String topology) {
        return new ProcessorDriver(ProcessorDriver.topology(topology), ProcessorConfig.DEFAULTS);
    }

    private static List<Alert> ofType(List<Alert> alerts, String type) {
        return alerts.stream().filter(alert -> alert.getType().equals(type)).toList();
    }

    /** node1 holds the address and announces it; everyone hears it. */
    private static ArpTraffic held(ProcessorDriver driver, String... sensors) {
        return new ArpTraffic(driver, sensors).announce(T0, NODE1_MAC, VIP, ALL).reply(T0 + 5 * S, NODE1_MAC, VIP, "peer");
    }

    @Test
    void aFailoverThatEveryPeerHearsIsAMoveAndNothingElse() {
        try (ProcessorDriver driver = driver(TOPOLOGY)) {
            ArpTraffic traffic = held(driver, ALL);
            traffic.announce(T0 + 20 * S, NODE2_MAC, VIP, ALL).announce(T0 + 21 * S, NODE2_MAC, VIP, ALL)
                    .reply(T0 + 25 * S, NODE2_MAC, VIP, "peer").end(T0 + 60 * S);
            List<Alert> alerts = driver.alerts();
            assertEquals(List.of(ArpIpMovedDetector.TYPE), alerts.stream().map(Alert::getType).toList(), alerts.toString());
            Alert moved = alerts.get(0);
            assertEquals(VIP, moved.getIp());
            assertEquals(NODE1_MAC, moved.getMacBefore());
            assertEquals(NODE2_MAC, moved.getMacAfter());
            assertEquals("node2", moved.getHost());
            assertEquals(T0 + 20 * S, moved.getFirstSeenMicros());
        }
    }

    /** The move is reported once the change window has passed, without waiting for the end of the input. */
    @Test
    void aMoveIsReportedInStreamTime() {
        try (ProcessorDriver driver = driver(TOPOLOGY)) {
            held(driver, ALL).announce(T0 + 20 * S, NODE2_MAC, VIP, ALL).tickUntil(T0 + 29 * S);
            assertEquals(List.of(), driver.alerts());
            new ArpTraffic(driver, ALL).tickUntil(T0 + 32 * S);
            assertEquals(1, ofType(driver.alerts(), ArpIpMovedDetector.TYPE).size());
        }
    }

    /**
     * Bindings from IP traffic: a local address whose packets change source MAC moved; a remote address's packets
     * carry whichever router's MAC forwarded them, and say nothing about its binding.
     */
    @Test
    void ipTrafficFromALocalAddressShowsAMoveAndFromBeyondARouterNothing() {
        for (String source : List.of("192.0.2.50", "198.51.100.7")) {
            try (ProcessorDriver driver = driver(TOPOLOGY)) {
                SensorEmitter peer = new SensorEmitter("peer", EmissionMode.CONTROL, 1000, driver.sink());
                new ArpTraffic(driver, ALL).movingFromNode1ToNode2(peer, source).end(T0 + 90 * S);
                List<Alert> alerts = driver.alerts();
                if (source.startsWith("192.0.2.")) {
                    assertEquals(List.of(ArpIpMovedDetector.TYPE), alerts.stream().map(Alert::getType).toList());
                    assertEquals(NODE1_MAC, alerts.get(0).getMacBefore());
                    assertEquals(NODE2_MAC, alerts.get(0).getMacAfter());
                } else {
                    assertEquals(List.of(), alerts, "198.51.100.7 is not on peer's subnet: the MACs are routers'");
                }
            }
        }
    }

    @Test
    void repeatedGratuitousArpFromTheSameMacIsNormal() {
        try (ProcessorDriver driver = driver(TOPOLOGY)) {
            ArpTraffic traffic = new ArpTraffic(driver, ALL);
            for (long t = T0; t < T0 + 60 * S; t += 2 * S) {
                traffic.announce(t, NODE1_MAC, VIP, ALL);
            }
            traffic.end(T0 + 90 * S);
            assertEquals(List.of(), driver.alerts());
        }
    }

    /** Both devices answer each request, a millisecond apart: the classic duplicate address. */
    @Test
    void twoRepliesToEveryRequestFromTwoMacsAreAConflict() {
        try (ProcessorDriver driver = driver(TOPOLOGY)) {
            ArpTraffic traffic = held(driver, ALL);
            for (int i = 0; i < 3; i++) {
                traffic.reply(T0 + (10 + i) * S, OTHER_MAC, VIP, "peer").reply(T0 + (10 + i) * S + 1000, NODE1_MAC, VIP, "peer");
            }
            traffic.end(T0 + 60 * S);
            assertEquals(List.of(ArpConflictDetector.TYPE), driver.alerts().stream().map(Alert::getType).toList());
        }
    }

    @Test
    void twoMacsAnsweringInTurnAreAConflictNotAMove() {
        try (ProcessorDriver driver = driver(TOPOLOGY)) {
            ArpTraffic traffic = held(driver, ALL);
            for (int i = 0; i < 4; i++) {
                traffic.reply(T0 + (10 + i) * S, i % 2 == 0 ? OTHER_MAC : NODE1_MAC, VIP, "peer");
            }
            traffic.end(T0 + 60 * S);
            List<Alert> alerts = driver.alerts();
            assertEquals(List.of(ArpConflictDetector.TYPE), alerts.stream().map(Alert::getType).toList(), alerts.toString());
            assertEquals(NODE1_MAC, alerts.get(0).getMacBefore());
            assertEquals(OTHER_MAC, alerts.get(0).getMacAfter());
            assertEquals(4, alerts.get(0).getCount());
        }
    }

    /**
     * The peer's sensor, its clock a little ahead, stamps the old MAC's last reply just after the others stamped the
     * new MAC's announcement (which it sees right after the reply).
     */
    @Test
    void theOldMacWithinTheClockSkewOfTheChangeIsNoComeback() {
        try (ProcessorDriver driver = driver(TOPOLOGY)) {
            ArpTraffic traffic = held(driver, ALL);
            traffic.announce(T0 + 20 * S, NODE2_MAC, VIP, "node1", "node2")
                    .reply(T0 + 20 * S + 300, NODE1_MAC, VIP, "peer")
                    .announce(T0 + 20 * S + 400, NODE2_MAC, VIP, "peer")
                    .end(T0 + 60 * S);
            assertEquals(List.of(ArpIpMovedDetector.TYPE), driver.alerts().stream().map(Alert::getType).toList());
        }
    }

    @Test
    void anAnnouncementThatALivePeerNeverSawIsNotPropagated() {
        try (ProcessorDriver driver = driver(TOPOLOGY)) {
            ArpTraffic traffic = held(driver, ALL);
            for (int i = 0; i < 3; i++) {
                traffic.announce(T0 + (20 + i) * S, NODE2_MAC, VIP, "node1", "node2");
            }
            traffic.tickUntil(T0 + 30 * S);
            List<Alert> missing = ofType(driver.alerts(), AnnouncementNotPropagatedDetector.TYPE);
            assertEquals(1, missing.size(), driver.alerts().toString());
            assertEquals("node2", missing.get(0).getHost());
            assertEquals("peer", missing.get(0).getMissingAt());
            assertEquals(3, missing.get(0).getCount());
            assertEquals(List.of("node1", "node2"), missing.get(0).getObservedBy());
        }
    }

    @Test
    void aPeerThatSawTheAnnouncementIsSilent() {
        try (ProcessorDriver driver = driver(TOPOLOGY)) {
            held(driver, ALL).announce(T0 + 20 * S, NODE2_MAC, VIP, ALL).end(T0 + 60 * S);
            assertEquals(List.of(), ofType(driver.alerts(), AnnouncementNotPropagatedDetector.TYPE));
        }
    }

    /** The peer's sensor stopped ticking before the announcement: its silence proves nothing. */
    @Test
    void aPeerWhoseSensorWasSilentIsNoEvidence() {
        try (ProcessorDriver driver = driver(TOPOLOGY)) {
            held(driver, ALL).tickUntil(T0 + 10 * S);
            new ArpTraffic(driver, "node1", "node2").announce(T0 + 20 * S, NODE2_MAC, VIP, "node1", "node2")
                    .tickUntil(T0 + 120 * S);
            assertEquals(List.of(), ofType(driver.alerts(), AnnouncementNotPropagatedDetector.TYPE));
        }
    }

    /**
     * Whether the peer is on the segment: learned from the address's earlier broadcasts it heard, or declared.
     * Without either, a host that never heard this address is not expected to.
     */
    @Test
    void aPeerIsExpectedToHearTheAnnouncementWhenItSharesTheSegment() {
        String declared = TOPOLOGY + "segments:\n  lan: [node1, node2, peer]\n";
        for (String topology : List.of(TOPOLOGY, declared)) {
            try (ProcessorDriver driver = driver(topology)) {
                new ArpTraffic(driver, ALL).announce(T0 + 20 * S, NODE2_MAC, VIP, "node1", "node2").end(T0 + 60 * S);
                int expected = topology.equals(declared) ? 1 : 0;
                assertEquals(expected, ofType(driver.alerts(), AnnouncementNotPropagatedDetector.TYPE).size(), topology);
            }
        }
    }
}
