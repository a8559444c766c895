package dev.wirewatch.sensor.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.sensor.Traces;
import dev.wirewatch.sensor.capture.CaptureFile;
import dev.wirewatch.sensor.capture.CapturedFrame;
import dev.wirewatch.schemas.RecordCodec;
import dev.wirewatch.sensor.emit.EmissionMode;
import dev.wirewatch.sensor.emit.EventMapper;
import dev.wirewatch.sensor.emit.RecordSink;
import dev.wirewatch.sensor.emit.SensorEmitter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** Every truncation and many random mutations of every real frame: nothing escapes, damage is counted. */
class DecoderSurvivesDamagedFramesTest {

    private static List<CapturedFrame> realFrames() {
        List<CapturedFrame> frames = new ArrayList<>();
        for (Path capture : Traces.captures()) {
            try (CaptureFile file = CaptureFile.open(capture)) {
                CapturedFrame frame;
                while ((frame = file.next()) != null) {
                    frames.add(frame);
                }
            }
        }
        return frames;
    }

    private static CapturedFrame with(CapturedFrame frame, byte[] data) {
        return new CapturedFrame(frame.tsMicros(), frame.linkType(), frame.iface(), data, frame.originalLength());
    }

    @Test
    void everyTruncationOfEveryRealFrameIsEitherMalformedOrDecodedToTheSameHeader() {
        FrameDecoder decoder = new FrameDecoder();
        long inputs = 0;
        List<CapturedFrame> frames = realFrames();
        for (CapturedFrame frame : frames) {
            Decoded whole = decoder.decode(frame);
            boolean sawMalformedCut = false;
            for (int length = 0; length < frame.data().length; length++) {
                Decoded cut = decoder.decode(with(frame, Arrays.copyOf(frame.data(), length)));
                EventMapper.toRecord("h", frame, cut);
                inputs++;
                sawMalformedCut |= cut instanceof Decoded.Malformed;
                if (whole instanceof Decoded.IpPacket ip && cut instanceof Decoded.IpPacket cutIp) {
                    // A cut frame never decodes to different values: it is complete enough, or it is malformed.
                    // TCP options cut off by a small snaplen are absent (tcpdump prints [|tcp]), never wrong.
                    assertTrue(Arrays.equals(ip.src(), cutIp.src()) && Arrays.equals(ip.dst(), cutIp.dst())
                            && ip.srcPort() == cutIp.srcPort() && ip.dstPort() == cutIp.dstPort()
                            && sameFixedHeader(ip.tcp(), cutIp.tcp()), "cut to " + length + ": " + cutIp);
                }
            }
            if (whole instanceof Decoded.IpPacket || whole instanceof Decoded.ArpPacket
                    || whole instanceof Decoded.NeighborPacket) {
                assertTrue(sawMalformedCut, "cutting a decodable frame short must at some length be malformed");
            }
        }
        assertEquals(inputs + frames.size(), decoder.decoded() + decoder.ignored() + decoder.malformed(),
                "every input is counted exactly once");
    }

    /** Zeek's ICMPv6 redirects with a lying length: malformed, never target and destination read from padding. */
    @Test
    void damagedIcmpv6RedirectsAreMalformed() {
        FrameDecoder decoder = new FrameDecoder();
        int payloadLength = 14 + 4; // low byte of the IPv6 payload length
        int icmp = 14 + 40;
        byte[] plain = firstFrame("zeek_icmp6-redirect.pcap").data().clone();
        assertTrue(decoder.decode(with(firstFrame("zeek_icmp6-redirect.pcap"), plain)) instanceof Decoded.IpPacket);
        // The payload length says 24 bytes: the 40-byte frame tail after them is padding, not target and destination.
        plain[payloadLength + 1] = 24;
        assertTrue(decoder.decode(with(firstFrame("zeek_icmp6-redirect.pcap"), plain)) instanceof Decoded.Malformed);
        // The redirected-header option (8 units, the rest of the message) claims 9: it runs past the message.
        CapturedFrame withOption = firstFrame("zeek_icmp6-redirect-hdr-opt.pcap");
        byte[] overlong = withOption.data().clone();
        assertEquals(4, overlong[icmp + 40]);
        overlong[icmp + 41] = 9;
        assertTrue(decoder.decode(with(withOption, overlong)) instanceof Decoded.Malformed);
        // Cut by a small snaplen inside the redirected header: still a redirect (the quoted flow just unknown).
        assertTrue(decoder.decode(with(withOption, Arrays.copyOf(withOption.data(), icmp + 60)))
                instanceof Decoded.IpPacket);
        assertEquals(2, decoder.malformed());
    }

    private static CapturedFrame firstFrame(String trace) {
        try (CaptureFile file = CaptureFile.open(Traces.file(trace))) {
            return file.next();
        }
    }

    private static boolean sameFixedHeader(Decoded.Tcp whole, Decoded.Tcp cut) {
        if (whole == null || cut == null) {
            return whole == cut;
        }
        return whole.flags() == cut.flags() && whole.seq() == cut.seq() && whole.ack() == cut.ack()
                && whole.window() == cut.window() && whole.payloadLength() == cut.payloadLength()
                && (cut.mss() == null || cut.mss().equals(whole.mss()))
                && (cut.windowScale() == null || cut.windowScale().equals(whole.windowScale()))
                && (cut.tsVal() == null || cut.tsVal().equals(whole.tsVal()))
                && (cut.tsEcr() == null || cut.tsEcr().equals(whole.tsEcr()));
    }

    /**
     * Two million random mutations of real frames (byte flips, often with a cut) through the whole sensor path:
     * decoder, emission policy and Avro encoding. Nothing may escape, every input is counted once, and the records
     * that come out must encode.
     */
    @Test
    void randomMutationsOfRealFramesNeverEscapeTheSensorPath() {
        Random random = new Random(20261125);
        List<CapturedFrame> frames = realFrames();
        FrameDecoder decoder = new FrameDecoder();
        RecordCodec codec = RecordCodec.shared();
        long[] encodedBytes = new long[1];
        SensorEmitter emitter = new SensorEmitter("h", EmissionMode.CONTROL, 1024, new RecordSink() {
            @Override
            public void publish(SpecificRecord record) {
                encodedBytes[0] += codec.encode(record).length;
            }

            @Override
            public void tick(String host, long tsMicros, boolean endOfInput) {
            }
        });
        int mutations = 2_000_000;
        long ts = 0;
        for (int i = 0; i < mutations; i++) {
            CapturedFrame frame = frames.get(random.nextInt(frames.size()));
            byte[] data = frame.data().clone();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips && data.length > 0; f++) {
                data[random.nextInt(data.length)] = (byte) random.nextInt(256);
            }
            if (random.nextInt(4) == 0) {
                data = Arrays.copyOf(data, random.nextInt(data.length + 1));
            }
            ts += random.nextInt(2_000); // a steady clock, so the policy summarises as it would live
            CapturedFrame mutated = new CapturedFrame(ts, frame.linkType(), frame.iface(), data, frame.originalLength());
            Decoded decoded = decoder.decode(mutated);
            EventMapper.toRecord("h", mutated, decoded).ifPresent(emitter::emit);
            if (i % 10_000 == 0) {
                emitter.tick(ts, false);
            }
        }
        emitter.tick(ts, true);
        assertEquals(mutations, decoder.decoded() + decoder.ignored() + decoder.malformed());
        assertTrue(decoder.malformed() > mutations / 100, "mutations recognised as malformed: " + decoder.malformed());
        assertTrue(emitter.packets() > mutations / 2 && encodedBytes[0] > 0, "the damaged traffic went through");
    }
}
