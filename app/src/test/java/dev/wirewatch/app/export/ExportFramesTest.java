package dev.wirewatch.app.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wirewatch.record.ArpEvent;
import dev.wirewatch.record.IcmpHeader;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.QuotedHeader;
import dev.wirewatch.record.TcpHeader;
import dev.wirewatch.schemas.Addresses;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rebuilt headers of the kinds the seed cases do not cover (IPv6, raw IP, VLAN, UDP, ICMP errors and redirects,
 * ICMPv6, ARP), read back by tshark: what it decodes must be what the events said.
 */
class ExportFramesTest {
    private static final long T0 = 1_795_580_607_000_001L;

    @TempDir
    Path temp;

    @Test
    void tsharkReadsBackEveryKindOfRebuiltHeader() throws Exception {
        byte[] a = Addresses.parse("10.0.0.1");
        byte[] b = Addresses.parse("10.0.0.2");
        byte[] v6a = Addresses.parse("2001:db8::1");
        byte[] v6b = Addresses.parse("2001:db8::2");
        byte[] macA = {2, 0, 0, 0, 0, 1};
        byte[] macB = {2, 0, 0, 0, 0, 2};
        List<EvidenceScan.Sighting> sightings = new ArrayList<>();
        // Out of time order on purpose: the file is in capture-time order.
        sightings.add(sighting(packet("h6", "", T0 + 5, null, null, null, 6, v6a, v6b, 6, 40000, 443, 60, 40 + 32 + 100,
                new TcpHeader(0x18, 4_000_000_000L, 7L, 512, 100, null, null, false, 123L, 456L), null)));
        sightings.add(sighting(packet("h6", "", T0 + 4, null, null, null, 6, v6a, v6b, 6, 40000, 443, 60, 40 + 40,
                new TcpHeader(0x02, 3_999_999_999L, 0L, 64800, 0, 1440, 7, true, 123L, 0L), null)));
        sightings.add(sighting(packet("h4", "eth0", T0, macA, macB, 10, 4, a, b, 17, 5353, 53, 64, 20 + 8 + 30, null, null)));
        sightings.add(sighting(packet("h4", "eth0", T0 + 1, macB, macA, 10, 4, b, a, 1, 0, 0, 63, 20 + 8 + 28, null,
                new IcmpHeader(3, 3, null, null, null,
                        new QuotedHeader(ByteBuffer.wrap(a), ByteBuffer.wrap(b), 17, 5353, 53, null)))));
        sightings.add(sighting(packet("h4", "eth0", T0 + 2, macB, macA, null, 4, b, a, 1, 0, 0, 64, 20 + 8 + 28, null,
                new IcmpHeader(5, 1, null, ByteBuffer.wrap(Addresses.parse("10.0.0.254")), null,
                        new QuotedHeader(ByteBuffer.wrap(a), ByteBuffer.wrap(Addresses.parse("192.0.2.7")), 6, 40001, 80, 99L)))));
        sightings.add(sighting(packet("h6", "", T0 + 6, null, null, null, 6, v6b, v6a, 58, 0, 0, 64, 40 + 8 + 56, null,
                new IcmpHeader(129, 0, 4242, null, null, null))));
        sightings.add(new EvidenceScan.Sighting("h4", "eth0", T0 + 3, new ArpEvent("h4", "eth0", T0 + 3, null, null, null, 2,
                ByteBuffer.wrap(macB), ByteBuffer.wrap(b), ByteBuffer.wrap(macA), ByteBuffer.wrap(a), null)));

        Path file = temp.resolve("frames.pcapng");
        EvidenceExport.Written written;
        try (OutputStream out = Files.newOutputStream(file)) {
            written = EvidenceExport.write(sightings, "test", out);
        }
        assertEquals(7, written.packets());
        assertEquals(List.of("h4/eth0", "h6"), written.interfaces());

        List<String> lines = Tshark.fields(file, List.of("-o", "ip.check_checksum:TRUE"), List.of("frame.interface_name", "frame.time_epoch", "frame.len", "frame.cap_len",
                "vlan.id", "ip.checksum.status", "udp.length", "icmp.type", "icmp.code", "icmp.redir_gw", "arp.opcode",
                "arp.src.proto_ipv4", "ipv6.src", "ipv6.hlim", "tcp.flags", "tcp.seq_raw", "tcp.len",
                "tcp.options.mss_val", "tcp.options.wscale.shift", "tcp.options.sack_perm", "tcp.options.timestamp.tsval",
                "icmpv6.type", "icmpv6.echo.identifier", "_ws.col.Protocol"));
        // ip.checksum.status 1: tshark verified the rebuilt IPv4 header checksums (the quoted header's too)
        assertEquals(List.of(
                "h4/eth0|1795580607.000001000|76|46|10|1|38|||||||||||||||||UDP",
                "h4/eth0|1795580607.000002000|74|74|10|1,1|8|3|3|||||||||||||||ICMP",
                "h4/eth0|1795580607.000003000|70|70||1,1||5|1|10.0.0.254||||||||||||||ICMP",
                "h4/eth0|1795580607.000004000|42|42|||||||2|10.0.0.2||||||||||||ARP",
                "h6|1795580607.000005000|80|80|||||||||2001:db8::1|60|0x0002|3999999999|0|1440|7|0402|123|||TCP",
                "h6|1795580607.000006000|172|72|||||||||2001:db8::1|60|0x0018|4000000000|100||||123|||TCP",
                "h6|1795580607.000007000|104|48|||||||||2001:db8::2|64||||||||129|0x1092|ICMPv6"),
                lines.stream().map(line -> line.replace('\t', '|')).toList());
    }

    /** Neighbour discovery shipped as bindings comes back as the NA and NS tshark names in its Info column. */
    @Test
    void tsharkReadsBackNeighborDiscovery() throws Exception {
        byte[] vip = Addresses.parse("2001:db8:7::100");
        byte[] mac = {2, 0, 0, 0, 9, 2};
        byte[] allNodes = Addresses.parse("ff02::1");
        ArpEvent advertisement = new ArpEvent("h", "eth0", T0, null, null, null, 136, ByteBuffer.wrap(mac),
                ByteBuffer.wrap(vip), ByteBuffer.wrap(new byte[6]), ByteBuffer.wrap(allNodes), 0x20);
        ArpEvent probe = new ArpEvent("h", "eth0", T0 + 1, null, null, null, 135, ByteBuffer.wrap(mac),
                ByteBuffer.wrap(new byte[16]), ByteBuffer.wrap(new byte[6]), ByteBuffer.wrap(vip), 0);
        Path file = temp.resolve("nd.pcapng");
        try (OutputStream out = Files.newOutputStream(file)) {
            EvidenceExport.write(List.of(new EvidenceScan.Sighting("h", "eth0", T0, advertisement),
                    new EvidenceScan.Sighting("h", "eth0", T0 + 1, probe)), "test", out);
        }
        assertEquals(List.of("2001:db8:7::100|ff02::1|Neighbor Advertisement 2001:db8:7::100 (ovr) is at 02:00:00:00:09:02",
                        "::|ff02::1:ff00:100|Neighbor Solicitation for 2001:db8:7::100"),
                Tshark.fields(file, List.of(), List.of("ipv6.src", "ipv6.dst", "_ws.col.Info")).stream()
                        .map(line -> line.replace('\t', '|')).toList());
    }

    private static EvidenceScan.Sighting sighting(PacketEvent packet) {
        return new EvidenceScan.Sighting(packet.getHost(), packet.getIface(), packet.getTsMicros(), packet);
    }

    private static PacketEvent packet(String host, String iface, long ts, byte[] srcMac, byte[] dstMac, Integer vlan,
                                      int version, byte[] src, byte[] dst, int protocol, int srcPort, int dstPort, int ttl,
                                      int ipLength, TcpHeader tcp, IcmpHeader icmp) {
        return new PacketEvent(host, iface, ts, srcMac == null ? null : ByteBuffer.wrap(srcMac),
                dstMac == null ? null : ByteBuffer.wrap(dstMac), vlan, version, ByteBuffer.wrap(src), ByteBuffer.wrap(dst),
                protocol, srcPort, dstPort, ttl, ipLength, tcp, icmp);
    }
}
