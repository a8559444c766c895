package dev.wirewatch.processor.l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.SampleCase;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.detect.AnnouncementNotPropagatedDetector;
import dev.wirewatch.processor.detect.ArpConflictDetector;
import dev.wirewatch.processor.detect.ArpIpMovedDetector;
import dev.wirewatch.record.Alert;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The IPv6 failover as real kernels made it (deploy/samples/09-failover-ipv6-announcement-blocked): node2's kernel
 * announces the address with an unsolicited Neighbor Advertisement that a bridge filter keeps from the peer, and an
 * intruder's duplicate address detection probe is defended by node2. What must be found is read from the captures
 * by tshark: who advertised the address with the override flag to ff02::1, whose capture holds none of node2's
 * advertisements, and which MAC probed from :: for the address another MAC then defended.
 */
class Ipv6FailoverCaptureTest {
    private static final SampleCase CASE = new SampleCase("09-failover-ipv6-announcement-blocked");
    private static final SampleCase.Capture[] CAPTURES = {new SampleCase.Capture("node1", "eth0", "node1.pcap"),
            new SampleCase.Capture("node2", "eth0", "node2.pcap"), new SampleCase.Capture("peer", "eth0", "peer.pcap"),
            new SampleCase.Capture("intruder", "eth0", "intruder.pcap")};
    private static final String VIP = "2001:db8:7::100";
    private static final String UNSOLICITED = "icmpv6.type == 136 && icmpv6.nd.na.flag.s == 0 && icmpv6.nd.na.flag.o == 1"
            + " && ipv6.dst == ff02::1 && icmpv6.nd.na.target_address == " + VIP;
    private static List<Alert> alerts;

    @BeforeAll
    static void analyze() {
        alerts = CASE.alerts(ProcessorConfig.DEFAULTS, CAPTURES);
    }

    private static List<Alert> ofType(String type) {
        return alerts.stream().filter(alert -> alert.getType().equals(type)).toList();
    }

    /** The announcers, in order, as the bystander (intruder) heard them: node1 first, node2 after the failover. */
    private static List<String[]> announcements() throws Exception {
        return CASE.tshark("intruder.pcap", UNSOLICITED, "frame.time_epoch", "icmpv6.opt.target_linkaddr");
    }

    @Test
    void theMoveIsFromTheFirstAnnouncerToTheSecond() throws Exception {
        List<String[]> announced = announcements();
        String before = announced.get(0)[1];
        String after = announced.stream().map(row -> row[1]).filter(mac -> !mac.equals(before)).findFirst().orElseThrow();

        List<Alert> moved = ofType(ArpIpMovedDetector.TYPE);
        assertEquals(1, moved.size(), alerts.toString());
        assertEquals(VIP, moved.get(0).getIp());
        assertEquals("ND", moved.get(0).getProtocol());
        assertEquals(before, moved.get(0).getMacBefore());
        assertEquals(after, moved.get(0).getMacAfter());
        assertEquals("node2", moved.get(0).getHost());
    }

    @Test
    void theAnnouncementIsMissingExactlyWhereTsharkFindsNoneOfNode2s() throws Exception {
        String node2Mac = "02:00:00:00:09:02"; // topology.yaml
        String own = UNSOLICITED + " && eth.src == " + node2Mac;
        assertFalse(CASE.tshark("node2.pcap", own, "frame.number").isEmpty(), "node2's sensor saw them leave");
        Set<String> missing = new TreeSet<>();
        for (String host : List.of("node1", "peer", "intruder")) {
            if (CASE.tshark(host + ".pcap", own, "frame.number").isEmpty()) {
                missing.add(host);
            }
        }
        assertEquals(Set.of("peer"), missing, "the recording holds a blocked announcement");

        List<Alert> notPropagated = ofType(AnnouncementNotPropagatedDetector.TYPE);
        assertFalse(notPropagated.isEmpty());
        for (Alert alert : notPropagated) {
            assertEquals("peer", alert.getMissingAt());
            assertEquals("node2", alert.getHost());
            assertEquals("ND", alert.getProtocol());
            assertEquals(node2Mac, alert.getMacAfter());
            assertTrue(alert.getEvidence().get(0).getLine().startsWith("Neighbor Advertisement " + VIP + " (ovr) is at "
                    + node2Mac), alert.getEvidence().toString());
        }
    }

    /** The last probe from :: for the address, and the MAC that advertised it right after: a defended probe. */
    @Test
    void theDefendedProbeIsAConflictNamingBothMacs() throws Exception {
        List<String[]> probes = CASE.tshark("intruder.pcap", "icmpv6.type == 135 && ipv6.src == :: "
                + "&& icmpv6.nd.ns.target_address == " + VIP, "frame.time_epoch", "eth.src");
        String[] probe = probes.get(probes.size() - 1);
        String defender = announcements().stream().filter(row -> row[0].compareTo(probe[0]) > 0)
                .map(row -> row[1]).findFirst().orElseThrow();
        assertFalse(defender.equals(probe[1]));

        List<Alert> conflicts = ofType(ArpConflictDetector.TYPE);
        assertEquals(1, conflicts.size(), alerts.toString());
        assertEquals(VIP, conflicts.get(0).getIp());
        assertEquals("ND", conflicts.get(0).getProtocol());
        assertEquals(defender, conflicts.get(0).getMacBefore());
        assertEquals(probe[1], conflicts.get(0).getMacAfter());
    }

    @Test
    void nothingElseIsFound() {
        assertEquals(Set.of(ArpIpMovedDetector.TYPE, AnnouncementNotPropagatedDetector.TYPE, ArpConflictDetector.TYPE),
                alerts.stream().map(Alert::getType).collect(Collectors.toSet()), alerts.toString());
    }
}
