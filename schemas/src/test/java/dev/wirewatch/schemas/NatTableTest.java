package dev.wirewatch.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NatTableTest {
    private static final NatTable TABLE = new NatTable(List.of(
            NatTable.parse("203.0.113.80:443", "10.0.0.5:8443"),
            NatTable.parse("203.0.113.90", "10.0.0.9"),
            NatTable.parse("[2001:db8::80]:443", "[fd00::5]:8443")));

    private static String endpoint(NatTable.Endpoint endpoint) {
        return Addresses.endpoint(endpoint.address(), endpoint.port());
    }

    @Test
    void aPortForwardRenamesOnlyItsOwnPortAndOnlyForTcpAndUdp() {
        assertEquals("203.0.113.80:443", endpoint(TABLE.toPublic(FlowKey.TCP, Addresses.parse("10.0.0.5"), 8443)));
        assertEquals("203.0.113.80:443", endpoint(TABLE.toPublic(FlowKey.UDP, Addresses.parse("10.0.0.5"), 8443)));
        assertEquals("10.0.0.5:22", endpoint(TABLE.toPublic(FlowKey.TCP, Addresses.parse("10.0.0.5"), 22)));
        assertEquals("10.0.0.5:8443", endpoint(TABLE.toPublic(FlowKey.ICMP, Addresses.parse("10.0.0.5"), 8443)),
                "an ICMP identifier is not a port");
        assertEquals("10.0.0.5:8443", endpoint(TABLE.toPrivate(FlowKey.TCP, Addresses.parse("203.0.113.80"), 443)));
        assertEquals("[2001:db8::80]:443", endpoint(TABLE.toPublic(FlowKey.TCP, Addresses.parse("fd00::5"), 8443)));
    }

    @Test
    void aWholeAddressRuleKeepsEveryPortAndCoversIcmp() {
        assertEquals("203.0.113.90:22", endpoint(TABLE.toPublic(FlowKey.TCP, Addresses.parse("10.0.0.9"), 22)));
        assertEquals("203.0.113.90:7", endpoint(TABLE.toPublic(FlowKey.ICMP, Addresses.parse("10.0.0.9"), 7)));
        assertEquals("10.0.0.9:53", endpoint(TABLE.toPrivate(FlowKey.UDP, Addresses.parse("203.0.113.90"), 53)));
    }

    @Test
    void bothViewsOfAForwardedFlowShareOneKey() {
        FlowKey atClient = FlowKey.of(FlowKey.TCP, Addresses.parse("198.51.100.9"), 40000, Addresses.parse("203.0.113.80"), 443);
        FlowKey atServer = FlowKey.of(FlowKey.TCP, Addresses.parse("10.0.0.5"), 8443, Addresses.parse("198.51.100.9"), 40000);
        assertTrue(!atClient.equals(atServer));
        NatTable.Endpoint low = TABLE.toPublic(FlowKey.TCP, atServer.lowAddress(), atServer.lowPort());
        NatTable.Endpoint high = TABLE.toPublic(FlowKey.TCP, atServer.highAddress(), atServer.highPort());
        assertEquals(atClient, FlowKey.of(FlowKey.TCP, low.address(), low.port(), high.address(), high.port()));
    }

    @Test
    void badRulesSayWhatIsWrong() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NatTable.parse("203.0.113.80:443", "10.0.0.5"))
                .getMessage().contains("on both sides"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NatTable.parse("203.0.113.80:0", "10.0.0.5:1"))
                .getMessage().contains("port 1-65535"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NatTable.parse("203.0.113.80", "fd00::5"))
                .getMessage().contains("IPv4 or both IPv6"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NatTable.parse("server:443", "10.0.0.5:8443"))
                .getMessage().contains("not an IP address"));
    }
}
