package dev.wirewatch.sensor.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.record.ArpEvent;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.NatTable;
import dev.wirewatch.schemas.Topics;
import dev.wirewatch.sensor.Traces;
import dev.wirewatch.sensor.capture.CaptureFile;
import dev.wirewatch.sensor.capture.CapturedFrame;
import dev.wirewatch.sensor.emit.EventMapper;
import dev.wirewatch.sensor.emit.RecordPublisher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Zeek's neighbour discovery traces as the sensor ships them: decoded as ND (not as plain ICMPv6), each field as
 * tshark reads the same packet, mapped to the binding the ARP stage reads (ww.l2, keyed by the bound address); and
 * damaged ND counted as malformed, never thrown.
 */
class NeighborDiscoveryTest {

    @Test
    void zeeksAdvertisementBindsItsTargetToTheFramesSourceAsTsharkReadsIt() throws Exception {
        Path trace = Traces.file("zeek_icmp6-neighbor-advert.pcap");
        List<String> truth = tshark(trace, "eth.src", "ipv6.dst", "icmpv6.nd.na.target_address",
                "icmpv6.nd.na.flag.r", "icmpv6.nd.na.flag.s", "icmpv6.nd.na.flag.o", "icmpv6.opt.target_linkaddr");
        CapturedFrame frame = only(trace);
        Decoded.NeighborPacket na = assertInstanceOf(Decoded.NeighborPacket.class, new FrameDecoder().decode(frame));
        assertEquals(136, na.type());
        assertEquals(truth.get(2), Addresses.ip(na.target()));
        int flags = (isSet(truth.get(3)) ? 0x80 : 0) | (isSet(truth.get(4)) ? 0x40 : 0) | (isSet(truth.get(5)) ? 0x20 : 0);
        assertEquals(flags, na.flags());
        assertEquals("", truth.get(6), "Zeek's advertisement carries no target link-layer option");

        ArpEvent binding = (ArpEvent) EventMapper.toRecord("h", frame, na).orElseThrow();
        assertEquals(136, binding.getOperation());
        assertEquals(truth.get(2), Addresses.ip(binding.getSenderIp()), "an NA binds its target");
        assertEquals(truth.get(0), Addresses.mac(binding.getSenderMac()), "no option: to the frame's source MAC");
        assertEquals(truth.get(1), Addresses.ip(binding.getTargetIp()));
        assertEquals(flags, binding.getNdFlags());
        RecordPublisher.Outgoing out = RecordPublisher.encode(binding, NatTable.NONE);
        assertEquals(Topics.L2, out.topic());
        assertArrayEquals(Addresses.parse(truth.get(2)), out.key());
    }

    @Test
    void zeeksSolicitationBindsItsSourceAsTsharkReadsIt() throws Exception {
        Path trace = Traces.file("zeek_icmp6-neighbor-solicit.pcap");
        List<String> truth = tshark(trace, "eth.src", "ipv6.src", "icmpv6.nd.ns.target_address", "icmpv6.opt.src_linkaddr");
        CapturedFrame frame = only(trace);
        Decoded.NeighborPacket ns = assertInstanceOf(Decoded.NeighborPacket.class, new FrameDecoder().decode(frame));
        assertEquals(135, ns.type());
        assertEquals(truth.get(2), Addresses.ip(ns.target()));
        assertEquals(0, ns.flags());

        ArpEvent binding = (ArpEvent) EventMapper.toRecord("h", frame, ns).orElseThrow();
        assertEquals(135, binding.getOperation());
        assertEquals(truth.get(1), Addresses.ip(binding.getSenderIp()), "an NS binds its source address");
        assertEquals(truth.get(3).isEmpty() ? truth.get(0) : truth.get(3), Addresses.mac(binding.getSenderMac()));
        assertEquals(truth.get(2), Addresses.ip(binding.getTargetIp()));
        assertArrayEquals(Addresses.parse(truth.get(1)), RecordPublisher.encode(binding, NatTable.NONE).key());
    }

    /** Zeek's NS sent from :: instead: a duplicate address detection probe, keyed by the address it asks about. */
    @Test
    void aProbeFromTheUnspecifiedAddressIsKeyedByItsTarget() throws Exception {
        CapturedFrame frame = only(Traces.file("zeek_icmp6-neighbor-solicit.pcap"));
        byte[] data = frame.data().clone();
        int ipv6 = 14;
        Arrays.fill(data, ipv6 + 8, ipv6 + 24, (byte) 0); // source :: (the checksum is not checked)
        CapturedFrame probe = new CapturedFrame(frame.tsMicros(), frame.linkType(), frame.iface(), data,
                frame.originalLength());
        Decoded decoded = new FrameDecoder().decode(probe);
        ArpEvent event = (ArpEvent) EventMapper.toRecord("h", probe, decoded).orElseThrow();
        assertEquals("::", Addresses.ip(event.getSenderIp()));
        assertArrayEquals(Addresses.parse("fe80::babe"), RecordPublisher.encode(event, NatTable.NONE).key());
    }

    @Test
    void damagedNeighborDiscoveryIsCountedAsMalformed() {
        CapturedFrame frame = only(Traces.file("zeek_icmp6-neighbor-advert.pcap"));
        int icmp = 14 + 40;
        FrameDecoder decoder = new FrameDecoder();
        // Cut inside the target address.
        assertInstanceOf(Decoded.Malformed.class, decoder.decode(with(frame, Arrays.copyOf(frame.data(), icmp + 20))));
        // An option of length 0 (RFC 4861 4.6: discard), declared in the payload length.
        byte[] zeroOption = Arrays.copyOf(frame.data(), icmp + 32);
        zeroOption[icmp + 24] = 2;
        zeroOption[icmp + 25] = 0;
        zeroOption[14 + 5] = 32; // IPv6 payload length
        assertInstanceOf(Decoded.Malformed.class, decoder.decode(with(frame, zeroOption)));
        // A target link-layer option cut off by the capture.
        byte[] cutOption = Arrays.copyOf(frame.data(), icmp + 28);
        cutOption[icmp + 24] = 2;
        cutOption[icmp + 25] = 1;
        cutOption[14 + 5] = 32;
        assertInstanceOf(Decoded.Malformed.class, decoder.decode(with(frame, cutOption)));
        assertEquals(3, decoder.malformed());
        // Hop limit below 255: RFC 4861 says to ignore it as ND; it is plain ICMPv6 traffic then.
        byte[] forwarded = frame.data().clone();
        forwarded[14 + 7] = 64;
        Decoded plain = decoder.decode(with(frame, forwarded));
        assertTrue(plain instanceof Decoded.IpPacket ip && ip.icmp().type() == 136, plain.toString());
    }

    private static boolean isSet(String tsharkBoolean) {
        return tsharkBoolean.equals("1") || tsharkBoolean.equalsIgnoreCase("true");
    }

    private static CapturedFrame with(CapturedFrame frame, byte[] data) {
        return new CapturedFrame(frame.tsMicros(), frame.linkType(), frame.iface(), data, frame.originalLength());
    }

    private static CapturedFrame only(Path trace) {
        try (CaptureFile file = CaptureFile.open(trace)) {
            CapturedFrame frame = file.next();
            assertTrue(frame != null && file.next() == null, trace + " holds one frame");
            return frame;
        }
    }

    /** tshark's values of {@code fields} for the trace's one frame. */
    private static List<String> tshark(Path trace, String... fields) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("tshark", "-n", "-r", trace.toString(), "-T", "fields",
                "-E", "separator=/t"));
        for (String field : fields) {
            command.add("-e");
            command.add(field);
        }
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).replace("\n", "");
        assertTrue(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0, "tshark on " + trace);
        return List.of(output.split("\t", -1));
    }
}
