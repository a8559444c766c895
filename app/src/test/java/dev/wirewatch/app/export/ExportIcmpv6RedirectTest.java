package dev.wirewatch.app.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wirewatch.record.IcmpHeader;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.QuotedHeader;
import dev.wirewatch.schemas.Addresses;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ICMPv6 redirect's rebuilt header, read back by tshark: target and destination, and the packet it quotes inside a
 * redirected-header option (RFC 4861 4.6.3), not loose after the destination, where no decoder would find it.
 */
class ExportIcmpv6RedirectTest {
    @TempDir
    Path temp;

    private static ByteBuffer address(String text) {
        return ByteBuffer.wrap(Addresses.parse(text));
    }

    @Test
    void tsharkFindsTheQuotedEchoInTheRedirectedHeaderOption() throws Exception {
        long ts = 1_795_580_607_000_001L;
        QuotedHeader echo = new QuotedHeader(address("2001:db8:8::10"), address("2001:db8:9::20"), 58, 0x550a, 0x550a, null);
        PacketEvent redirect = new PacketEvent("host", "eth0", ts, ByteBuffer.wrap(new byte[] {2, 0, 0, 0, 0x11, 1}),
                ByteBuffer.wrap(new byte[] {2, 0, 0, 0, 0x11, 0x10}), null, 6, address("fe80::1"),
                address("2001:db8:8::10"), 58, 0, 0, 255, 40 + 40 + 8 + 48,
                null, new IcmpHeader(137, 0, null, address("fe80::2"), address("2001:db8:9::20"), echo));
        Path file = temp.resolve("redirect.pcapng");
        try (OutputStream out = Files.newOutputStream(file)) {
            EvidenceExport.write(List.of(new EvidenceScan.Sighting("host", "eth0", ts, redirect)), "test", out);
        }
        List<String> lines = Tshark.fields(file, List.of(), List.of("icmpv6.type", "icmpv6.nd.rd.target_address",
                "icmpv6.rd.na.destination_address", "icmpv6.opt.type", "ipv6.src", "ipv6.dst", "icmpv6.echo.identifier"));
        assertEquals(List.of("137,128|fe80::2|2001:db8:9::20|4|fe80::1,2001:db8:8::10|2001:db8:8::10,2001:db8:9::20|"
                + "0x550a"), lines.stream().map(line -> line.replace('\t', '|')).toList());
    }
}
