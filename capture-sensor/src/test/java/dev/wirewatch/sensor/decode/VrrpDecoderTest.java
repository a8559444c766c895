package dev.wirewatch.sensor.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.NatTable;
import dev.wirewatch.schemas.Topics;
import dev.wirewatch.sensor.emit.RecordPublisher;
import dev.wirewatch.sensor.capture.CaptureFile;
import dev.wirewatch.sensor.capture.CapturedFrame;
import dev.wirewatch.record.VrrpAdvertisement;
import dev.wirewatch.sensor.emit.EventMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * keepalived's advertisements (deploy/captures/vrrp, recorded by its record.sh) as the sensor ships them; their
 * fields against tshark's are in DecoderMatchesTsharkTest. Here: the capture holds every kind, the records carry the
 * fields (and never the v2 password), go to ww.l2 keyed by their first virtual address, and damaged advertisements are counted as malformed, never thrown.
 */
class VrrpDecoderTest {
    private static final Path CAPTURE = Path.of(System.getProperty("wirewatch.samples", "../deploy/samples"))
            .getParent().resolve("captures/vrrp/advertisements.pcap");

    private static List<CapturedFrame> vrrpFrames() {
        List<CapturedFrame> frames = new ArrayList<>();
        FrameDecoder decoder = new FrameDecoder();
        try (CaptureFile file = CaptureFile.open(CAPTURE)) {
            CapturedFrame frame;
            while ((frame = file.next()) != null) {
                if (decoder.decode(frame) instanceof Decoded.VrrpPacket) {
                    frames.add(frame);
                }
            }
        }
        return frames;
    }

    @Test
    void keepalivedsAdvertisementsOfEveryKindBecomeRecords() {
        Set<String> kinds = new TreeSet<>();
        for (CapturedFrame frame : vrrpFrames()) {
            Decoded decoded = new FrameDecoder().decode(frame);
            VrrpAdvertisement record = (VrrpAdvertisement) EventMapper.toRecord("node2", frame, decoded).orElseThrow();
            kinds.add("v" + record.getVersion() + " IPv" + (record.getSrc().remaining() == 4 ? 4 : 6) + " vrid "
                    + record.getVrid() + " " + record.getIntervalCentis() + " cs " + record.getAddresses().stream()
                    .map(Addresses::ip).toList() + (record.getPriority() == 0 ? " resigns" : ""));
            assertEquals(255, record.getTtl(), "VRRP is sent with TTL/hop limit 255");
            assertTrue(!record.toString().contains("ww10pass"), "the v2 password is never shipped: " + record);
            RecordPublisher.Outgoing out = RecordPublisher.encode(record, NatTable.NONE);
            assertEquals(Topics.L2, out.topic());
            assertEquals(Addresses.ip(record.getAddresses().get(0)), Addresses.ip(out.key()),
                    "keyed by its first virtual address");
        }
        assertEquals(Set.of(
                "v2 IPv4 vrid 51 100 cs [192.0.2.100, 192.0.2.101]",
                "v2 IPv4 vrid 51 100 cs [192.0.2.100, 192.0.2.101] resigns",
                "v3 IPv4 vrid 52 50 cs [192.0.2.102]",
                "v3 IPv4 vrid 52 50 cs [192.0.2.102] resigns",
                "v3 IPv6 vrid 53 100 cs [fe80::53, 2001:db8:10::100]",
                "v3 IPv6 vrid 53 100 cs [fe80::53, 2001:db8:10::100] resigns"), kinds);
    }

    @Test
    void damagedAdvertisementsAreMalformedNeverThrownNorMisread() {
        FrameDecoder decoder = new FrameDecoder();
        int malformed = 0;
        for (CapturedFrame frame : vrrpFrames()) {
            Decoded.Vrrp whole = ((Decoded.VrrpPacket) decoder.decode(frame)).vrrp();
            for (int length = 0; length < frame.data().length; length++) {
                Decoded cut = decoder.decode(with(frame, Arrays.copyOf(frame.data(), length)));
                if (cut instanceof Decoded.VrrpPacket packet) {
                    // Cut inside the address list: the addresses captured, in order, and the count as sent.
                    Decoded.Vrrp vrrp = packet.vrrp();
                    assertEquals(whole.vrid(), vrrp.vrid());
                    assertEquals(whole.addressCount(), vrrp.addressCount());
                    for (int i = 0; i < vrrp.addresses().size(); i++) {
                        assertTrue(Arrays.equals(whole.addresses().get(i), vrrp.addresses().get(i)));
                    }
                } else {
                    malformed += cut instanceof Decoded.Malformed ? 1 : 0;
                }
            }
            byte[] data = frame.data().clone();
            int vrrpAt = data.length - vrrpLength(whole, frame);
            data[vrrpAt] = (byte) 0x41; // version 4
            assertInstanceOf(Decoded.Malformed.class, decoder.decode(with(frame, data)));
            data[vrrpAt] = (byte) 0x32; // type 2: undefined
            assertInstanceOf(Decoded.Malformed.class, decoder.decode(with(frame, data)));
            data[vrrpAt] = (byte) (whole.version() << 4 | 1);
            data[vrrpAt + 3] = (byte) 200; // more addresses than the packet holds
            assertInstanceOf(Decoded.Malformed.class, decoder.decode(with(frame, data)));
        }
        assertTrue(malformed > 0);
        assertTrue(decoder.malformed() >= malformed, "counted: " + decoder.malformed());
    }

    /** Bytes from the VRRP header to the frame's end: header, addresses, and v2's 8 bytes of authentication data. */
    private static int vrrpLength(Decoded.Vrrp vrrp, CapturedFrame frame) {
        int size = ((Decoded.VrrpPacket) new FrameDecoder().decode(frame)).ipVersion() == 4 ? 4 : 16;
        return 8 + vrrp.addressCount() * size + (vrrp.version() == 2 ? 8 : 0);
    }

    private static CapturedFrame with(CapturedFrame frame, byte[] data) {
        return new CapturedFrame(frame.tsMicros(), frame.linkType(), frame.iface(), data, frame.originalLength());
    }
}
