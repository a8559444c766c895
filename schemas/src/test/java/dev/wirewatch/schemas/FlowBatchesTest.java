package dev.wirewatch.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wirewatch.record.DirectionActivity;
import dev.wirewatch.record.FlowActivity;
import dev.wirewatch.record.FlowBatch;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.TcpHeader;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** A batch stands for exactly the records it was packed from, in order, after a trip through the codec. */
class FlowBatchesTest {
    private static final byte[] CLIENT = {32, 1, 13, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9};
    private static final byte[] SERVER = {32, 1, 13, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 80};

    private static PacketEvent packet(boolean fromClient, long ts, int flags, long seq, long ack, int payload) {
        return PacketEvent.newBuilder().setHost("server").setIface("eth1").setTsMicros(ts)
                .setSrcMac(ByteBuffer.wrap(new byte[] {2, 0, 0, 0, 0, (byte) (fromClient ? 1 : 2)}))
                .setDstMac(ByteBuffer.wrap(new byte[] {2, 0, 0, 0, 0, (byte) (fromClient ? 2 : 1)})).setVlan(null)
                .setIpVersion(6).setSrc(ByteBuffer.wrap(fromClient ? CLIENT : SERVER))
                .setDst(ByteBuffer.wrap(fromClient ? SERVER : CLIENT)).setProtocol(6)
                .setSrcPort(fromClient ? 51000 : 443).setDstPort(fromClient ? 443 : 51000).setTtl(64)
                .setIpLength(60 + payload)
                .setTcp(TcpHeader.newBuilder().setFlags(flags).setSeq(seq).setAck(ack).setWindow(502)
                        .setPayloadLength(payload).setMss(null).setWindowScale(null).setSackPermitted(false)
                        .setTsVal(7L).setTsEcr(6L).build())
                .setIcmp(null).build();
    }

    @Test
    void unpackingGivesBackEveryPacketAndSummaryInOrder() {
        long t = 1_796_000_000_000_000L;
        FlowActivity steady = FlowActivity.newBuilder().setHost("server").setIface("eth1").setTsMicros(t + 900)
                .setIpVersion(6).setSrc(ByteBuffer.wrap(CLIENT)).setDst(ByteBuffer.wrap(SERVER)).setProtocol(6)
                .setSrcPort(51000).setDstPort(443)
                .setForward(DirectionActivity.newBuilder().setPackets(3).setDataPackets(3).setIpBytes(4500)
                        .setPayloadBytes(4300).setFirstTsMicros(t + 700).setLastTsMicros(t + 900).build())
                .setReverse(DirectionActivity.newBuilder().build()).build();
        List<SpecificRecord> items = List.of(packet(true, t, 0x02, 100, 0, 0), packet(false, t + 250, 0x12, 900, 101, 0),
                packet(true, t + 500, 0x10, 101, 901, 0), steady, packet(false, t + 1200, 0x11, 901, 4400, 0));
        FlowBatch batch = FlowBatches.pack((PacketEvent) items.get(0), items);
        assertEquals(t, batch.getFirstTsMicros());
        assertEquals(t + 1200, batch.getTsMicros(), "record time: the last item's");
        assertEquals(4, FlowBatches.packets(batch));
        FlowBatch decoded = RecordCodec.shared().decode(RecordCodec.shared().encode(batch), FlowBatch.class);
        assertEquals(items, FlowBatches.unpack(decoded));
    }

    @Test
    void icmpIsNeverBatched() {
        PacketEvent syn = packet(true, 1, 0x02, 1, 0, 0);
        PacketEvent icmp = PacketEvent.newBuilder(syn).setProtocol(58).setTcp(null)
                .setIcmp(dev.wirewatch.record.IcmpHeader.newBuilder().setType(128).setCode(0).build()).build();
        assertThrows(IllegalArgumentException.class, () -> FlowBatches.pack(syn, List.of(syn, icmp)));
    }
}
