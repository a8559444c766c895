package dev.wirewatch.processor.l2;

import static dev.wirewatch.processor.l2.ArpTraffic.NODE1_MAC;
import static dev.wirewatch.processor.l2.ArpTraffic.NODE2_MAC;
import static dev.wirewatch.processor.l2.ArpTraffic.S;
import static dev.wirewatch.processor.l2.ArpTraffic.T0;
import static dev.wirewatch.processor.l2.ArpTraffic.TOPOLOGY;
import static dev.wirewatch.processor.l2.ArpTraffic.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.wirewatch.processor.ProcessorDriver;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.record.Alert;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** The address stage's state of an address nobody claims any more (an IPv6 privacy address, a host gone). */
class AddressForgettingTest {
    private static final String[] ALL = {"node1", "node2", "peer"};
    private static final long HOUR = 3600 * S;

    @Test
    void anAddressUnclaimedForTheForgetTimeIsDeletedAndAClaimAfterIsNew() {
        try (ProcessorDriver driver = new ProcessorDriver(ProcessorDriver.topology(TOPOLOGY), ProcessorConfig.DEFAULTS)) {
            new ArpTraffic(driver, ALL).announce(T0, NODE1_MAC, VIP, ALL);
            KeyValueStore<String, byte[]> addresses = driver.store(ArpProcessor.ADDRESSES_STORE);
            KeyValueStore<String, Long> due = driver.store(ArpProcessor.DUE_STORE);
            driver.tickEvery(600 * S, T0 + 600 * S, T0 + 23 * HOUR, ALL);
            assertNotNull(addresses.get(VIP), "kept within address-forget-after (24 h)");
            driver.tickEvery(600 * S, T0 + 23 * HOUR + 600 * S, T0 + 25 * HOUR, ALL);
            assertNull(addresses.get(VIP), "forgotten 24 h after its last claim");
            assertNull(due.get(VIP));
            // A day later the address is another host's: a new binding, not a move.
            new ArpTraffic(driver, ALL).tickedUntil(T0 + 25 * HOUR).announce(T0 + 25 * HOUR + S, NODE2_MAC, VIP, ALL).end(T0 + 25 * HOUR + 60 * S);
            assertEquals(List.of(), driver.alerts().stream().map(Alert::getType).toList());
        }
    }
}
