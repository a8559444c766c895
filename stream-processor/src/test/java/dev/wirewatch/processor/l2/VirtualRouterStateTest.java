package dev.wirewatch.processor.l2;

import static dev.wirewatch.processor.l2.ArpTraffic.S;
import static dev.wirewatch.processor.l2.ArpTraffic.T0;
import static dev.wirewatch.processor.l2.ArpTraffic.TOPOLOGY;
import static dev.wirewatch.processor.l2.ArpTraffic.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.state.JsonState;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.VrrpAdvertisement;
import dev.wirewatch.schemas.Addresses;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * The VRRP state on crafted advertisements, for what the keepalived samples do not hold: records out of capture
 * order (a lagging sensor, a buffer replayed after an outage) and keepalived's virtual MAC (use_vmac).
 */
class VirtualRouterStateTest {
    private static final String NODE1_MAC = ArpTraffic.NODE1_MAC;
    private static final String VMAC = "00:00:5e:00:01:0a";
    private static final String UNHEARD = "ANNOUNCEMENT_NOT_PROPAGATED";

    private static ProcessorDriver driver() {
        return new ProcessorDriver(ProcessorDriver.topology(TOPOLOGY), ProcessorConfig.DEFAULTS);
    }

    private static void advertise(ProcessorDriver driver, long ts, String mac, String src, int priority,
                                  String... seenBy) {
        for (String host : seenBy) {
            driver.sink().publish(VrrpAdvertisement.newBuilder().setHost(host).setIface("eth0").setTsMicros(ts)
                    .setSrcMac(ByteBuffer.wrap(mac(mac))).setSrc(ByteBuffer.wrap(Addresses.parse(src))).setTtl(255)
                    .setVersion(3).setType(1).setVrid(10).setPriority(priority).setIntervalCentis(100)
                    .setAddressCount(1).setAddresses(List.of(ByteBuffer.wrap(Addresses.parse(VIP)))).build());
        }
    }

    private static byte[] mac(String text) {
        byte[] bytes = new byte[6];
        String[] parts = text.split(":");
        for (int i = 0; i < 6; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return bytes;
    }

    private static List<Alert> ofType(ProcessorDriver driver, String type) {
        return driver.alerts().stream().filter(alert -> alert.getType().equals(type)).toList();
    }

    /** node2's sensor stops hearing node1 after 10 s; peer's sensor then delivers one record from long before. */
    @Test
    void aLateAdvertisementKeepsTheCurrentRun() {
        try (ProcessorDriver driver = driver()) {
            for (long t = T0; t <= T0 + 30 * S; t += S) {
                driver.tick(t, t, "node1", "node2");
                advertise(driver, t, NODE1_MAC, "192.0.2.11", 100, t <= T0 + 10 * S
                        ? new String[] {"node1", "node2"} : new String[] {"node1"});
                if (t == T0 + 12 * S) {
                    advertise(driver, T0 - 20 * S, NODE1_MAC, "192.0.2.11", 100, "peer");
                }
            }
            driver.endOfInput(T0 + 31 * S, "node1", "node2");
            List<Alert> unheard = ofType(driver, UNHEARD).stream()
                    .filter(alert -> "node2".equals(alert.getMissingAt())).toList();
            assertEquals(1, unheard.size(), unheard.toString());
            // The last advertisement node2's sensor heard, not the first one after the late record.
            assertEquals(T0 + 10 * S, unheard.get(0).getFirstSeenMicros(), unheard.get(0).getSummary());
        }
    }

    /** keepalived with use_vmac: both masters send from 00:00:5e:00:01:VRID; their own addresses tell them apart. */
    @Test
    void twoMastersOnTheVirtualMacAreASplitBrain() {
        try (ProcessorDriver driver = driver()) {
            for (long t = T0; t <= T0 + 20 * S; t += S) {
                driver.tick(t, t, "node1", "node2", "peer");
                advertise(driver, t, VMAC, "192.0.2.11", 100, "node1", "peer");
                if (t >= T0 + 5 * S) {
                    advertise(driver, t + S / 2, VMAC, "192.0.2.12", 90, "node2", "peer");
                }
            }
            driver.endOfInput(T0 + 21 * S, "node1", "node2", "peer");
            List<Alert> splitBrain = ofType(driver, "VRRP_SPLIT_BRAIN");
            assertEquals(1, splitBrain.size(), driver.alerts().toString());
            assertEquals(List.of(VMAC + " (192.0.2.11)", VMAC + " (192.0.2.12)"), splitBrain.get(0).getMasters());
            assertEquals(List.of("node1", "node2"), splitBrain.get(0).getMasterHosts());
            assertEquals(T0 + 5 * S + S / 2, splitBrain.get(0).getFirstSeenMicros());
        }
    }

    /**
     * node2's sensor hears every advertisement, but its ww.l2 records of 5 s arrive in one batch after its tick at 15 s
     * (ticks go to ww.packets): past the master-down interval with the clock skew, within it plus the announcement grace.
     */
    @Test
    void aPeerWhoseRecordsLagItsTicksWithinTheGraceIsNoSilence() {
        try (ProcessorDriver driver = driver()) {
            for (long t = T0; t <= T0 + 30 * S; t += S) {
                driver.tick(t, t, "node1", "node2");
                if (t == T0 + 15 * S) {
                    for (long late = T0 + 10 * S; late < t; late += S) {
                        advertise(driver, late, NODE1_MAC, "192.0.2.11", 100, "node2");
                    }
                }
                advertise(driver, t, NODE1_MAC, "192.0.2.11", 100, "node1");
                if (t < T0 + 10 * S || t >= T0 + 15 * S) {
                    advertise(driver, t, NODE1_MAC, "192.0.2.11", 100, "node2");
                }
            }
            driver.endOfInput(T0 + 31 * S, "node1", "node2");
            assertEquals(List.of(), ofType(driver, UNHEARD));
        }
    }

    /** node1 masters throughout; node2 takes over too for 6 s every 30 s, for 15 minutes: 30 split brains. */
    @Test
    void findingsOfRunsLongOverAreForgottenAndNoneComesTwice() {
        try (ProcessorDriver driver = driver()) {
            long end = T0 + 900 * S;
            for (long t = T0; t < end; t += S) {
                driver.tick(t, t, "node1", "node2", "peer");
                advertise(driver, t, NODE1_MAC, "192.0.2.11", 100, "node1", "peer");
                if ((t - T0) % (30 * S) < 6 * S) {
                    advertise(driver, t + S / 2, ArpTraffic.NODE2_MAC, "192.0.2.12", 90, "node2", "peer");
                }
            }
            driver.endOfInput(end, "node1", "node2", "peer");
            assertEquals(30, ofType(driver, "VRRP_SPLIT_BRAIN").size());
            KeyValueStore<String, byte[]> routers = driver.store(ArpProcessor.VRRP_STORE);
            try (KeyValueIterator<String, byte[]> all = routers.all()) {
                VirtualRouter router = JsonState.decode(all.next().value, VirtualRouter.class);
                // Of node2's runs, kept: those of the last 100 master-down intervals (about 6 minutes) before its
                // last one; node1's single run stays reported (unheard by node2 since it began) while it lasts.
                long horizon = 100 * router.speakers.get(ArpTraffic.NODE2_MAC).masterDownMicros();
                long lastRun = router.speakers.get(ArpTraffic.NODE2_MAC).runStartMicros();
                assertTrue(router.reported.contains("ANNOUNCEMENT_NOT_PROPAGATED " + NODE1_MAC + " node2 " + T0));
                for (String key : router.reported.stream().filter(key -> key.contains(ArpTraffic.NODE2_MAC)).toList()) {
                    long at = Long.parseLong(key.substring(key.lastIndexOf(' ') + 1));
                    assertTrue(at >= lastRun - horizon - 30 * S, key);
                }
            }
        }
    }
}
