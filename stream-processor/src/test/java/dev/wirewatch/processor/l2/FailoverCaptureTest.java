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
 * Seed case 7 as real kernels made it (deploy/samples/07-failover-announcement-blocked): the address moves from
 * node1 to node2, and a bridge filter keeps node2's gratuitous ARP from the peer. What must be found is read from
 * the three captures by tshark: the move is the frame tshark flags as a duplicate use of the address, and the
 * announcement is missing at every host whose capture holds none of node2's gratuitous ARPs.
 */
class FailoverCaptureTest {
    private static final SampleCase CASE_7 = new SampleCase("07-failover-announcement-blocked");
    private static final SampleCase.Capture[] CAPTURES = {new SampleCase.Capture("node1", "eth0", "node1.pcap"),
            new SampleCase.Capture("node2", "eth0", "node2.pcap"), new SampleCase.Capture("peer", "eth0", "peer.pcap")};
    private static List<Alert> alerts;

    @BeforeAll
    static void analyze() {
        alerts = CASE_7.alerts(ProcessorConfig.DEFAULTS, CAPTURES);
    }

    /**
     * With every ARP frame cut out of the captures the move still shows: the address's IP packets (its ping replies to
     * the peer, on the peer's own subnet) come first from one MAC, then from another, as tshark reads them.
     */
    @Test
    void withoutArpTheMoveShowsInTheAddressesIpTraffic() throws Exception {
        SampleCase noArp = CASE_7.filtered("!arp");
        assertEquals(0, noArp.tshark("peer.pcap", "arp", "frame.number").size());
        List<String[]> fromVip = noArp.tshark("peer.pcap", "ip.src == 192.0.2.100", "eth.src");
        String first = fromVip.get(0)[0];
        String last = fromVip.get(fromVip.size() - 1)[0];
        assertFalse(first.equals(last), "the address's packets change MAC: " + first);

        List<Alert> moved = noArp.alerts(ProcessorConfig.DEFAULTS, CAPTURES).stream()
                .filter(alert -> alert.getType().equals(ArpIpMovedDetector.TYPE)).toList();
        assertEquals(1, moved.size(), moved.toString());
        assertEquals("192.0.2.100", moved.get(0).getIp());
        assertEquals(first, moved.get(0).getMacBefore());
        assertEquals(last, moved.get(0).getMacAfter());
    }

    private static List<String[]> tshark(String host, String filter, String... fields) throws Exception {
        return CASE_7.tshark(host + ".pcap", filter, fields);
    }

    private static List<Alert> ofType(String type) {
        return alerts.stream().filter(alert -> alert.getType().equals(type)).toList();
    }

    @Test
    void theMoveIsTheChangeTsharkFlagsAsADuplicateAddress() throws Exception {
        List<String[]> duplicates = tshark("node1", "arp.duplicate-address-detected", "arp.src.proto_ipv4",
                "arp.src.hw_mac", "arp.duplicate-address-frame");
        assertFalse(duplicates.isEmpty(), "tshark sees the address change MAC in node1's capture");
        String ip = duplicates.get(0)[0];
        String after = duplicates.get(0)[1];
        String before = tshark("node1", "frame.number == " + duplicates.get(0)[2], "arp.src.hw_mac").get(0)[0];

        List<Alert> moved = ofType(ArpIpMovedDetector.TYPE);
        assertEquals(1, moved.size(), alerts.toString());
        assertEquals(ip, moved.get(0).getIp());
        assertEquals(before, moved.get(0).getMacBefore());
        assertEquals(after, moved.get(0).getMacAfter());
        assertEquals("node2", moved.get(0).getHost());
        assertEquals(List.of(), ofType(ArpConflictDetector.TYPE), "one move is no conflict");
    }

    @Test
    void theAnnouncementIsMissingExactlyWhereTsharkFindsNoneOfIt() throws Exception {
        String node2Mac = "02:00:00:00:07:02"; // topology.yaml
        String ownAnnouncements = "arp.isgratuitous == 1 && eth.src == " + node2Mac;
        int sent = tshark("node2", ownAnnouncements, "frame.number").size();
        assertTrue(sent > 0, "node2's sensor saw its announcements leave");
        Set<String> missing = new TreeSet<>();
        for (String host : List.of("node1", "peer")) {
            if (tshark(host, ownAnnouncements, "frame.number").isEmpty()) {
                missing.add(host);
            }
        }
        assertFalse(missing.isEmpty(), "the recording holds a blocked announcement");

        List<Alert> notPropagated = ofType(AnnouncementNotPropagatedDetector.TYPE);
        assertEquals(missing, notPropagated.stream().map(Alert::getMissingAt)
                .collect(Collectors.toCollection(TreeSet::new)), alerts.toString());
        for (Alert alert : notPropagated) {
            assertEquals("node2", alert.getHost());
            assertEquals(node2Mac, alert.getMacAfter());
            assertEquals(sent, alert.getCount());
        }
    }

    /** node1's announcements reached everyone and repeat the same MAC: nothing to say about them. */
    @Test
    void nothingElseIsFound() {
        assertEquals(Set.of(ArpIpMovedDetector.TYPE, AnnouncementNotPropagatedDetector.TYPE),
                alerts.stream().map(Alert::getType).collect(Collectors.toSet()), alerts.toString());
    }
}
