package dev.wirewatch.sensor.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.sensor.Traces;
import dev.wirewatch.sensor.capture.CaptureFile;
import dev.wirewatch.sensor.capture.CapturedFrame;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decoder against an independent decoder: tshark's fields for every frame of every shared trace, field by
 * field (addresses, ports, flags, seq/ack, payload length, TCP options, ICMP type/code and quoted header, ARP,
 * IPv6 neighbour discovery).
 */
class DecoderMatchesTsharkTest {
    private static final String[] FIELDS = {
        "frame.number", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport", "udp.srcport",
        "udp.dstport", "tcp.flags", "tcp.seq_raw", "tcp.ack_raw", "tcp.len", "tcp.options.timestamp.tsval",
        "tcp.options.timestamp.tsecr", "tcp.options.mss_val", "tcp.options.wscale.shift", "icmp.type", "icmp.code",
        "icmpv6.type", "icmpv6.code", "arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.hw_mac",
        "arp.dst.proto_ipv4", "icmpv6.nd.rd.target_address", "icmpv6.rd.na.destination_address", "icmp.redir_gw",
        "vlan.id", "frame.time_epoch", "frame.len", "frame.cap_len", "icmpv6.nd.ns.target_address",
        "icmpv6.nd.na.target_address", "icmpv6.nd.na.flag.r", "icmpv6.nd.na.flag.s", "icmpv6.nd.na.flag.o",
        "icmpv6.opt.type", "icmpv6.opt.src_linkaddr", "icmpv6.opt.target_linkaddr", "vrrp.version", "vrrp.type",
        "vrrp.virt_rtr_id", "vrrp.prio", "vrrp.addr_count", "vrrp.auth_type", "vrrp.adver_int", "vrrp.short_adver_int",
        "vrrp.ip_addr", "vrrp.ipv6_addr", "ip.ttl", "ipv6.hlim"
    };

    /**
     * The shared traces, dumpcap's two-interface pcapng (Ethernet and Linux cooked frames in one file), a kernel's
     * neighbour discovery with link-layer address options (the IPv6 failover sample), a Linux router's ICMPv6
     * redirects (with and without the target link-layer address option; the IPv6 redirect sample) and keepalived's
     * VRRP advertisements (v2, v3 over IPv4 and IPv6).
     */
    static Stream<Path> captures() {
        Path deploy = Path.of(System.getProperty("wirewatch.samples", "../deploy/samples")).getParent();
        Path ipv6Failover = deploy.resolve("samples/09-failover-ipv6-announcement-blocked");
        return Stream.of(Traces.captures().stream(), Stream.of(deploy.resolve("captures/two-interfaces/capture.pcapng")),
                Stream.of("node2", "peer", "intruder").map(host -> ipv6Failover.resolve(host + ".pcap")),
                Stream.of(deploy.resolve("samples/11-redirect-ignored-ipv6/host.pcap"),
                        deploy.resolve("captures/vrrp/advertisements.pcap")))
                .flatMap(captures -> captures);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void everyFrameDecodesAsTsharkDecodesIt(Path capture) throws Exception {
        List<String[]> truth = tshark(capture);
        List<String> mismatches = new ArrayList<>();
        int compared = 0;
        try (CaptureFile file = CaptureFile.open(capture)) {
            FrameDecoder decoder = new FrameDecoder();
            CapturedFrame frame;
            int number = 0;
            while ((frame = file.next()) != null) {
                String[] row = truth.get(number++);
                compareRecord(number, row, frame, mismatches);
                compareFrame(number, row, decoder.decode(frame), mismatches);
                compared++;
            }
        }
        assertEquals(truth.size(), compared, "frames read vs tshark's frames");
        System.out.printf("%s: %d frames compared with tshark%n", capture.getFileName(), compared);
        assertTrue(mismatches.isEmpty(), capture.getFileName() + ": " + mismatches.size() + " mismatches, first: "
                + mismatches.subList(0, Math.min(10, mismatches.size())));
    }

    /** The capture record itself: time (to the microsecond), length on the wire, captured bytes. */
    private static void compareRecord(int number, String[] row, CapturedFrame frame, List<String> mismatches) {
        Check check = new Check(number, row, mismatches);
        long micros = new BigDecimal(first(row, "frame.time_epoch")).movePointRight(6).setScale(0, RoundingMode.FLOOR)
                .longValueExact();
        check.equal("frame.time_epoch", String.valueOf(frame.tsMicros()), String.valueOf(micros));
        check.equal("frame.len", String.valueOf(frame.originalLength()), first(row, "frame.len"));
        check.equal("frame.cap_len", String.valueOf(frame.data().length), first(row, "frame.cap_len"));
    }

    private static void compareFrame(int number, String[] row, Decoded decoded, List<String> mismatches) {
        Check check = new Check(number, row, mismatches);
        if (decoded instanceof Decoded.ArpPacket arp) {
            check.equal("arp.opcode", String.valueOf(arp.operation()), first(row, "arp.opcode"));
            check.equal("arp.src.hw_mac", mac(arp.senderMac()), first(row, "arp.src.hw_mac"));
            check.equal("arp.src.proto_ipv4", Addresses.ip(arp.senderIp()), first(row, "arp.src.proto_ipv4"));
            check.equal("arp.dst.hw_mac", mac(arp.targetMac()), first(row, "arp.dst.hw_mac"));
            check.equal("arp.dst.proto_ipv4", Addresses.ip(arp.targetIp()), first(row, "arp.dst.proto_ipv4"));
            return;
        }
        if (decoded instanceof Decoded.NeighborPacket nd) {
            compareNeighborDiscovery(check, row, nd);
            return;
        }
        if (decoded instanceof Decoded.VrrpPacket vrrp) {
            compareVrrp(check, row, vrrp);
            return;
        }
        if (!(decoded instanceof Decoded.IpPacket ip)) {
            boolean tsharkSawNetwork = !first(row, "ip.src").isEmpty() || !first(row, "ipv6.src").isEmpty()
                    || !first(row, "arp.opcode").isEmpty();
            check.that(!tsharkSawNetwork, "we found no IP/ARP (" + decoded + ") but tshark did");
            return;
        }
        String v = ip.ipVersion() == 4 ? "ip" : "ipv6";
        check.equal(v + ".src", Addresses.ip(ip.src()), first(row, v + ".src"));
        check.equal(v + ".dst", Addresses.ip(ip.dst()), first(row, v + ".dst"));
        if (ip.link().vlan() != null) {
            check.equal("vlan.id", String.valueOf(ip.link().vlan()), first(row, "vlan.id"));
        }
        if (ip.tcp() != null) {
            Decoded.Tcp tcp = ip.tcp();
            check.equal("tcp.srcport", String.valueOf(ip.srcPort()), first(row, "tcp.srcport"));
            check.equal("tcp.dstport", String.valueOf(ip.dstPort()), first(row, "tcp.dstport"));
            check.equal("tcp.flags", String.valueOf(tcp.flags()), String.valueOf(Integer.decode(first(row, "tcp.flags")) & 0x1ff));
            check.equal("tcp.seq_raw", String.valueOf(tcp.seq()), first(row, "tcp.seq_raw"));
            check.equal("tcp.ack_raw", String.valueOf(tcp.ack()), first(row, "tcp.ack_raw"));
            check.equal("tcp.len", String.valueOf(tcp.payloadLength()), first(row, "tcp.len"));
            check.equal("tsval", string(tcp.tsVal()), first(row, "tcp.options.timestamp.tsval"));
            check.equal("tsecr", string(tcp.tsEcr()), first(row, "tcp.options.timestamp.tsecr"));
            check.equal("mss", string(tcp.mss()), first(row, "tcp.options.mss_val"));
            check.equal("wscale", string(tcp.windowScale()), first(row, "tcp.options.wscale.shift"));
        } else if (ip.protocol() == 17) {
            check.equal("udp.srcport", String.valueOf(ip.srcPort()), first(row, "udp.srcport"));
            check.equal("udp.dstport", String.valueOf(ip.dstPort()), first(row, "udp.dstport"));
        } else if (ip.icmp() != null) {
            String prefix = ip.ipVersion() == 4 ? "icmp" : "icmpv6";
            Decoded.Icmp icmp = ip.icmp();
            check.equal(prefix + ".type", String.valueOf(icmp.type()), first(row, prefix + ".type"));
            check.equal(prefix + ".code", String.valueOf(icmp.code()), first(row, prefix + ".code"));
            if (icmp.quoted() != null) {
                check.equal("quoted src", Addresses.ip(icmp.quoted().src()), last(row, v + ".src"));
                check.equal("quoted dst", Addresses.ip(icmp.quoted().dst()), last(row, v + ".dst"));
                String transport = icmp.quoted().protocol() == 6 ? "tcp" : icmp.quoted().protocol() == 17 ? "udp" : null;
                if (transport != null && !first(row, transport + ".srcport").isEmpty()) {
                    check.equal("quoted sport", String.valueOf(icmp.quoted().srcPort()), first(row, transport + ".srcport"));
                    check.equal("quoted dport", String.valueOf(icmp.quoted().dstPort()), first(row, transport + ".dstport"));
                }
            }
            if (ip.ipVersion() == 6 && icmp.type() == 137) {
                check.equal("redirect target", Addresses.ip(icmp.gateway()), first(row, "icmpv6.nd.rd.target_address"));
                check.equal("redirect destination", Addresses.ip(icmp.redirectDestination()),
                        first(row, "icmpv6.rd.na.destination_address"));
                List<String> options = List.of(first(row, "icmpv6.opt.type").isEmpty() ? new String[0]
                        : row[index("icmpv6.opt.type")].split(","));
                check.equal("redirect target link-layer address", icmp.targetMac() == null ? "" : mac(icmp.targetMac()),
                        first(row, "icmpv6.opt.target_linkaddr"));
                // tshark shows the redirected header's IPv6 header as a second ipv6.src (compared above when quoted).
                boolean quotesHeader = options.contains("4") && row[index("ipv6.src")].contains(",");
                check.that(quotesHeader == (icmp.quoted() != null), "redirected header: tshark "
                        + (quotesHeader ? "decodes one" : "decodes none") + ", we " + icmp.quoted());
            }
            if (ip.ipVersion() == 4 && icmp.type() == 5) {
                check.equal("redirect gateway", Addresses.ip(icmp.gateway()), first(row, "icmp.redir_gw"));
            }
        }
    }

    private static void compareNeighborDiscovery(Check check, String[] row, Decoded.NeighborPacket nd) {
        check.equal("ipv6.src", Addresses.ip(nd.src()), first(row, "ipv6.src"));
        check.equal("ipv6.dst", Addresses.ip(nd.dst()), first(row, "ipv6.dst"));
        check.equal("icmpv6.type", String.valueOf(nd.type()), first(row, "icmpv6.type"));
        check.equal("icmpv6.code", "0", first(row, "icmpv6.code"));
        boolean advertisement = nd.type() == 136;
        String kind = advertisement ? "na" : "ns";
        check.equal("nd target", Addresses.ip(nd.target()), first(row, "icmpv6.nd." + kind + ".target_address"));
        String option = advertisement ? "icmpv6.opt.target_linkaddr" : "icmpv6.opt.src_linkaddr";
        check.equal(option, nd.linkLayerAddress() == null ? "" : mac(nd.linkLayerAddress()), first(row, option));
        if (advertisement) {
            check.equal("R flag", bit(nd.flags(), 0x80), flag(row, "icmpv6.nd.na.flag.r"));
            check.equal("S flag", bit(nd.flags(), 0x40), flag(row, "icmpv6.nd.na.flag.s"));
            check.equal("O flag", bit(nd.flags(), 0x20), flag(row, "icmpv6.nd.na.flag.o"));
        } else {
            check.equal("NS flags", "0", String.valueOf(nd.flags()));
        }
    }

    private static String bit(int flags, int mask) {
        return (flags & mask) != 0 ? "1" : "0";
    }

    /** tshark prints a boolean field as 1/0 or True/False depending on its version. */
    private static String flag(String[] row, String field) {
        String value = first(row, field);
        return value.equals("true") || value.equals("1") ? "1" : "0";
    }

    private static void compareVrrp(Check check, String[] row, Decoded.VrrpPacket packet) {
        String v = packet.ipVersion() == 4 ? "ip" : "ipv6";
        check.equal(v + ".src", Addresses.ip(packet.src()), first(row, v + ".src"));
        check.equal(v + ".dst", Addresses.ip(packet.dst()), first(row, v + ".dst"));
        check.equal("ttl", String.valueOf(packet.ttl()), first(row, packet.ipVersion() == 4 ? "ip.ttl" : "ipv6.hlim"));
        Decoded.Vrrp vrrp = packet.vrrp();
        check.equal("vrrp.version", String.valueOf(vrrp.version()), first(row, "vrrp.version"));
        check.equal("vrrp.type", String.valueOf(vrrp.type()), first(row, "vrrp.type"));
        check.equal("vrrp.virt_rtr_id", String.valueOf(vrrp.vrid()), first(row, "vrrp.virt_rtr_id"));
        check.equal("vrrp.prio", String.valueOf(vrrp.priority()), first(row, "vrrp.prio"));
        check.equal("vrrp.addr_count", String.valueOf(vrrp.addressCount()), first(row, "vrrp.addr_count"));
        check.equal("vrrp.auth_type", string(vrrp.authType()), first(row, "vrrp.auth_type"));
        // v2's interval is in seconds (vrrp.adver_int), v3's in centiseconds (vrrp.short_adver_int).
        check.equal("interval", String.valueOf(vrrp.version() == 2 ? vrrp.intervalCentis() / 100 : vrrp.intervalCentis()),
                first(row, vrrp.version() == 2 ? "vrrp.adver_int" : "vrrp.short_adver_int"));
        String addresses = String.join(",", vrrp.addresses().stream().map(Addresses::ip).toList());
        String field = packet.ipVersion() == 4 ? "vrrp.ip_addr" : "vrrp.ipv6_addr";
        check.equal(field, addresses, row[index(field)].toLowerCase(Locale.ROOT));
    }

    private record Check(int frame, String[] row, List<String> mismatches) {
        void equal(String field, String ours, String theirs) {
            if (!ours.equals(theirs)) {
                mismatches.add("frame " + frame + " " + field + ": ours '" + ours + "' tshark '" + theirs + "'");
            }
        }

        void that(boolean condition, String what) {
            if (!condition) {
                mismatches.add("frame " + frame + ": " + what);
            }
        }
    }

    private static String string(Object value) {
        return value == null ? "" : value.toString();
    }

    private static String mac(byte[] mac) {
        return Addresses.mac(java.nio.ByteBuffer.wrap(mac));
    }

    private static int index(String field) {
        for (int i = 0; i < FIELDS.length; i++) {
            if (FIELDS[i].equals(field)) {
                return i;
            }
        }
        throw new IllegalArgumentException(field);
    }

    private static String first(String[] row, String field) {
        String value = index(field) < row.length ? row[index(field)] : "";
        int comma = value.indexOf(',');
        return (comma < 0 ? value : value.substring(0, comma)).toLowerCase(Locale.ROOT);
    }

    private static String last(String[] row, String field) {
        String value = index(field) < row.length ? row[index(field)] : "";
        return value.substring(value.lastIndexOf(',') + 1).toLowerCase(Locale.ROOT);
    }

    private static List<String[]> tshark(Path capture) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", capture.toString(), "-T", "fields",
                "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"));
        for (String field : FIELDS) {
            command.add("-e");
            command.add(field);
        }
        Process process;
        try {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new IOException("tshark is needed: run deploy/test-deps.sh", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), "tshark failed on " + capture);
        List<String[]> rows = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (!line.isEmpty()) {
                rows.add(line.split("\t", -1));
            }
        }
        return rows;
    }
}
