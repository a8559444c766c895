package dev.wirewatch.app.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.FlowKey;
import java.util.List;
import org.junit.jupiter.api.Test;

/** --flow names one canonical flow key however its ends are written and ordered. */
class ExportFlowSpecTest {
    @Test
    void everyWrittenFormOfOneFlowIsItsCanonicalKey() {
        FlowKey expected = FlowKey.of(FlowKey.TCP, Addresses.parse("10.0.0.1"), 5000, Addresses.parse("10.0.0.2"), 80);
        for (String text : List.of("tcp:10.0.0.1:5000-10.0.0.2:80", "10.0.0.2:80-10.0.0.1:5000", "TCP:10.0.0.1:5000 - 10.0.0.2:80",
                "10.0.0.2:80,10.0.0.1:5000", "tcp 10.0.0.1:5000 <-> 10.0.0.2:80")) {
            assertEquals(expected, FlowSpec.parse(text), text);
        }
        assertEquals(expected.toString(), FlowSpec.parse(expected.toString()).toString(), "the key's own printing reads back");
    }

    @Test
    void ipv6EndsAreBracketedAndOtherProtocolsNamed() {
        FlowKey key = FlowSpec.parse("udp:[2001:db8::2]:53-[2001:db8::1]:40000");
        assertEquals(FlowKey.of(FlowKey.UDP, Addresses.parse("2001:db8::1"), 40000, Addresses.parse("2001:db8::2"), 53), key);
        assertEquals(FlowKey.ICMPV6, FlowSpec.parse("icmp6:[fe80::1]:7-[fe80::2]:7").protocol());
    }

    @Test
    void malformedFlowsSayWhatIsExpected() {
        for (String text : List.of("", "tcp:10.0.0.1-10.0.0.2:80", "sctp:10.0.0.1:1-10.0.0.2:2", "2001:db8::1:80-2001:db8::2:81",
                "10.0.0.1:5000", "10.0.0.1:70000-10.0.0.2:80", "10.0.0.300:1-10.0.0.2:80", "10.0.0.1:1-[2001:db8::1]:80")) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> FlowSpec.parse(text), text);
            assertTrue(error.getMessage().startsWith("--flow '" + text + "'"), error.getMessage());
        }
    }
}
