package dev.wirewatch.processor;

import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.TcpHeader;
import dev.wirewatch.schemas.Addresses;
import java.nio.ByteBuffer;

/** Hand-made TCP headers for topology tests, as one vantage captured them. */
public final class Packets {
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;

    private Packets() {}

    public static PacketEvent tcp(String host, long tsMicros, String src, int srcPort, String dst, int dstPort,
                                  int flags, long seq, long ack, int payload) {
        return PacketEvent.newBuilder().setHost(host).setIface("eth0").setTsMicros(tsMicros).setSrcMac(null)
                .setDstMac(null).setVlan(null).setIpVersion(4).setSrc(ByteBuffer.wrap(Addresses.parse(src)))
                .setDst(ByteBuffer.wrap(Addresses.parse(dst))).setProtocol(6).setSrcPort(srcPort).setDstPort(dstPort)
                .setTtl(64).setIpLength(40 + payload)
                .setTcp(TcpHeader.newBuilder().setFlags(flags).setSeq(seq).setAck(ack).setWindow(64240)
                        .setPayloadLength(payload).setMss(null).setWindowScale(null).setSackPermitted(false)
                        .setTsVal(null).setTsEcr(null).build())
                .setIcmp(null).build();
    }
}
