package dev.wirewatch.sensor.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wirewatch.record.KernelDrop;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.TcpHeader;
import dev.wirewatch.schemas.Addresses;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The trace lines come from a real kernel (6.18, an instance with trace_clock mono, an iptables DROP in a namespace);
 * the clock markers in them were written by this reader. What is checked: the conversion to capture time, the
 * per-reason counts, and which SYN each drop is paired with.
 */
class KernelDropPairingTest {
    private static final String MARK = " wirewatch-trace-9742    [001] ...1. 12534.%06d: tracing_mark_write: wirewatch-clock %d";
    private static final String NETFILTER = "            bash-9748    [000] .Ns1. 12538.939428: kfree_skb: "
            + "skbaddr=000000007fe47de7 rx_sk=0000000000000000 protocol=2048 location=nft_do_chain+0x46f/0x690 reason: NETFILTER_DROP";
    private static final String NO_SOCKET_V4 = "  kafka-producer--9738    [001] ..s1. 12534.838257: kfree_skb: "
            + "skbaddr=00000000072de261 rx_sk=0000000000000000 protocol=2048 location=tcp_v4_rcv+0x99/0x1400 reason: NO_SOCKET";
    private static final String NO_ROUTE_V6 = "     kworker/1:1-15099   [001] ..s1. 12103.318382: kfree_skb: "
            + "skbaddr=0000000033f71482 rx_sk=0000000000000000 protocol=34525 location=ip6_pkt_discard+0x11/0x20 reason: IP_INNOROUTES";
    /** Trace time 12534.696505 was wall-clock 1796241679620678 µs (the second marker below, the least delayed). */
    private static final long OFFSET = 1796241679620678L - 12534_696505L;

    private static PacketEvent syn(long tsMicros, int srcPort, int flags) {
        return PacketEvent.newBuilder().setHost("server").setIface("eth1").setTsMicros(tsMicros).setIpVersion(4)
                .setSrc(ByteBuffer.wrap(Addresses.parse("10.233.1.2"))).setDst(ByteBuffer.wrap(Addresses.parse("10.233.1.1")))
                .setProtocol(6).setSrcPort(srcPort).setDstPort(8080).setTtl(64).setIpLength(60)
                .setTcp(TcpHeader.newBuilder().setFlags(flags).setSeq(1).setAck(0).setWindow(64240).setPayloadLength(0).build())
                .build();
    }

    private static KernelDropReader readerWithMarkers(DropCorrelator correlator) {
        KernelDropReader reader = new KernelDropReader(null, correlator);
        // Four markers back to back; the first was slow (8 ms between reading the clock and the write).
        reader.accept(String.format(MARK, 704505, 1796241679620678L));
        reader.accept(String.format(MARK, 696505 + 40, 1796241679620678L + 40));
        reader.accept(String.format(MARK, 696505 + 60, 1796241679620678L + 50));
        reader.accept(String.format(MARK, 696505 + 90, 1796241679620678L + 80));
        return reader;
    }

    @Test
    void dropsAreCountedPerReasonAndConvertedToCaptureTimeWithTheLeastDelayedMarker() {
        List<KernelDrop> paired = new ArrayList<>();
        DropCorrelator correlator = new DropCorrelator("server", paired::add);
        KernelDropReader reader = readerWithMarkers(correlator);
        long dropped = 12538_939428L + OFFSET;
        correlator.packet(syn(dropped + 331, 41118, 0x02)); // the capture stamps the SYN a little after the drop
        reader.accept(NETFILTER);
        reader.accept(NO_SOCKET_V4);
        reader.accept(NO_ROUTE_V6);
        reader.accept("garbage that is no trace line");
        assertEquals(Map.of("NETFILTER_DROP", 1L, "NO_SOCKET", 1L, "IP_INNOROUTES", 1L), reader.countsByReason());
        assertEquals(1, paired.size(), paired.toString());
        KernelDrop drop = paired.get(0);
        assertEquals("NETFILTER_DROP", drop.getReason());
        assertEquals(dropped, drop.getTsMicros());
        assertEquals(dropped + 331, drop.getSynTsMicros());
        assertEquals(41118, drop.getSrcPort());
        assertEquals("nft_do_chain+0x46f/0x690", drop.getLocation());
    }

    @Test
    void eachSynTakesTheClosestDropOnceAndAnswersAreNeverPaired() {
        List<KernelDrop> paired = new ArrayList<>();
        DropCorrelator correlator = new DropCorrelator("server", paired::add);
        long t = 1_796_241_700_000_000L;
        correlator.packet(syn(t, 1001, 0x12)); // a SYN-ACK: not a SYN the host received
        correlator.drop(new DropCorrelator.Drop(t + 100, "NETFILTER_DROP", null));
        correlator.packet(syn(t + 5_000, 1002, 0x02));
        correlator.drop(new DropCorrelator.Drop(t + 5_300, "TCP_LISTEN_OVERFLOW", null));
        correlator.packet(syn(t + 60_000, 1003, 0x02)); // nothing near it
        correlator.drop(new DropCorrelator.Drop(t + 200_000, "NETFILTER_DROP", null)); // nothing near it either
        assertEquals(List.of(1002), paired.stream().map(KernelDrop::getSrcPort).toList());
        assertEquals("TCP_LISTEN_OVERFLOW", paired.get(0).getReason(), "the closer drop, not the earlier one");
    }
}
