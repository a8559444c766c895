package dev.wirewatch.processor.l2;

import static dev.wirewatch.processor.l2.ArpTraffic.NODE1_MAC;
import static dev.wirewatch.processor.l2.ArpTraffic.NODE2_MAC;
import static dev.wirewatch.processor.l2.ArpTraffic.S;
import static dev.wirewatch.processor.l2.ArpTraffic.T0;
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

/**
 * The address detectors on crafted IPv6 neighbour discovery, for the traps the recorded sample does not hold: a
 * duplicate address detection that succeeds, a probe the holder defends, and advertisements that are no announcement.
 */
class NeighborDiscoveryDetectorsTest {
    private static final String VIP = "2001:db8:7::100";
    private static final String ALL_NODES = "ff02::1";
    private static final String ALL_NODES_MAC = "33:33:00:00:00:01";
    private static final String SOLICITED_NODE_MAC = "33:33:ff:00:01:00";
    private static final int OVERRIDE = 0x20;
    private static final int SOLICITED = 0x40;
    private static final String[] ALL = {"node1", "node2", "peer"};
    private static final String TOPOLOGY = """
            hosts:
              node1: {interfaces: {eth0: {addresses: [2001:db8:7::11/64], mac: "02:00:00:00:07:01"}}}
              node2: {interfaces: {eth0: {addresses: [2001:db8:7::12/64], mac: "02:00:00:00:07:02"}}}
              peer: {interfaces: {eth0: {addresses: [2001:db8:7::20/64], mac: "02:00:00:00:07:20"}}}
            """;

    private static ProcessorDriver driver() {
        return new ProcessorDriver(ProcessorDriver.topology(TOPOLOGY), ProcessorConfig.DEFAULTS);
    }

    /** A DAD probe (NS from :: to the target's solicited-node group) and the NA the kernel sends once it passed. */
    private static ArpTraffic takes(ArpTraffic traffic, long ts, String mac, String... seenBy) {
        return traffic.nd(ts, 135, 0, mac, SOLICITED_NODE_MAC, "::", VIP, seenBy)
                .nd(ts + S, 136, OVERRIDE, mac, ALL_NODES_MAC, VIP, ALL_NODES, seenBy);
    }

    @Test
    void aProbeForAFreeAddressAndItsAnnouncementAreSilent() {
        try (ProcessorDriver driver = driver()) {
            takes(new ArpTraffic(driver, ALL), T0, NODE1_MAC, ALL).end(T0 + 60 * S);
            assertEquals(List.of(), driver.alerts());
        }
    }

    /** Linux's answer to a probe for an address it holds is an unsolicited override NA to all nodes. */
    @Test
    void aProbeTheHolderDefendsIsAConflictOfBothMacs() {
        try (ProcessorDriver driver = driver()) {
            ArpTraffic traffic = takes(new ArpTraffic(driver, ALL), T0, NODE1_MAC, ALL);
            traffic.nd(T0 + 20 * S, 135, 0, NODE2_MAC, SOLICITED_NODE_MAC, "::", VIP, ALL)
                    .nd(T0 + 20 * S + 100, 136, OVERRIDE, NODE1_MAC, ALL_NODES_MAC, VIP, ALL_NODES, ALL)
                    .end(T0 + 60 * S);
            List<Alert> alerts = driver.alerts();
            assertEquals(List.of(ArpConflictDetector.TYPE), alerts.stream().map(Alert::getType).toList(), alerts.toString());
            assertEquals(VIP, alerts.get(0).getIp());
            assertEquals("ND", alerts.get(0).getProtocol());
            assertEquals(NODE1_MAC, alerts.get(0).getMacBefore());
            assertEquals(NODE2_MAC, alerts.get(0).getMacAfter());
        }
    }

    /**
     * After a failover the peer's sensor sees none of node2's advertisements, but they are solicited (unicast to
     * node1) or lack the override flag: no announcement, so nothing is missing. The move itself is found.
     */
    @Test
    void solicitedOrNonOverrideAdvertisementsAreNoAnnouncement() {
        try (ProcessorDriver driver = driver()) {
            ArpTraffic traffic = takes(new ArpTraffic(driver, ALL), T0, NODE1_MAC, ALL);
            traffic.nd(T0 + 20 * S, 136, SOLICITED | OVERRIDE, NODE2_MAC, NODE1_MAC, VIP, "2001:db8:7::11", "node1", "node2")
                    .nd(T0 + 21 * S, 136, 0, NODE2_MAC, ALL_NODES_MAC, VIP, ALL_NODES, "node1", "node2")
                    .end(T0 + 60 * S);
            List<Alert> alerts = driver.alerts();
            assertEquals(List.of(), alerts.stream().filter(alert -> alert.getType()
                    .equals(AnnouncementNotPropagatedDetector.TYPE)).toList());
            assertEquals(List.of("ARP_IP_MOVED"), alerts.stream().map(Alert::getType).toList(), alerts.toString());
        }
    }

    /** The same advertisement as an unsolicited override NA to all nodes is the announcement the peer missed. */
    @Test
    void anUnsolicitedOverrideAdvertisementThePeerMissedIsNotPropagated() {
        try (ProcessorDriver driver = driver()) {
            ArpTraffic traffic = takes(new ArpTraffic(driver, ALL), T0, NODE1_MAC, ALL);
            traffic.nd(T0 + 20 * S, 136, OVERRIDE, NODE2_MAC, ALL_NODES_MAC, VIP, ALL_NODES, "node1", "node2")
                    .end(T0 + 60 * S);
            List<Alert> missing = driver.alerts().stream()
                    .filter(alert -> alert.getType().equals(AnnouncementNotPropagatedDetector.TYPE)).toList();
            assertEquals(1, missing.size(), driver.alerts().toString());
            assertEquals("peer", missing.get(0).getMissingAt());
            assertEquals("node2", missing.get(0).getHost());
            assertEquals("ND", missing.get(0).getProtocol());
        }
    }

    /**
     * Bindings from IPv6 traffic: echo replies from the address, first from node1's MAC, then from node2's, move it;
     * a link-local source is on every interface; a global source off the peer's prefix comes through a router.
     */
    @Test
    void ipv6TrafficFromAnOnLinkAddressShowsAMoveAndFromBeyondARouterNothing() {
        for (String source : List.of(VIP, "fe80::50", "2001:db8:99::7")) {
            try (ProcessorDriver driver = driver()) {
                SensorEmitter peer = new SensorEmitter("peer", EmissionMode.CONTROL, 1000, driver.sink());
                new ArpTraffic(driver, ALL).movingFromNode1ToNode2(peer, source).end(T0 + 90 * S);
                List<Alert> alerts = driver.alerts();
                if (source.startsWith("2001:db8:99:")) {
                    assertEquals(List.of(), alerts, source + " is not on the peer's prefix: the MACs are routers'");
                } else {
                    assertEquals(List.of(ArpIpMovedDetector.TYPE), alerts.stream().map(Alert::getType).toList(), source);
                    assertEquals(source, alerts.get(0).getIp());
                    assertEquals("ND", alerts.get(0).getProtocol());
                    assertEquals(NODE1_MAC, alerts.get(0).getMacBefore());
                    assertEquals(NODE2_MAC, alerts.get(0).getMacAfter());
                }
            }
        }
    }

    /** A proxy or anycast answer (override flag clear, RFC 4861 7.2.5) from another MAC takes nothing over. */
    @Test
    void advertisementsWithoutOverrideFromAnotherMacLeaveTheBinding() {
        try (ProcessorDriver driver = driver()) {
            ArpTraffic traffic = takes(new ArpTraffic(driver, ALL), T0, NODE1_MAC, ALL);
            for (long t = T0 + 20 * S; t < T0 + 30 * S; t += 2 * S) {
                traffic.nd(t, 136, SOLICITED, NODE2_MAC, "02:00:00:00:07:20", VIP, "2001:db8:7::20", "peer")
                        .nd(t + 1000, 136, SOLICITED | OVERRIDE, NODE1_MAC, "02:00:00:00:07:20", VIP, "2001:db8:7::20",
                                "peer");
            }
            traffic.nd(T0 + 40 * S, 136, 0, NODE2_MAC, ALL_NODES_MAC, VIP, ALL_NODES, ALL).end(T0 + 90 * S);
            assertEquals(List.of(), driver.alerts());
        }
    }
}
