package dev.wirewatch.sensor.emit;

import static dev.wirewatch.schemas.TcpFlags.ACK;
import static dev.wirewatch.schemas.TcpFlags.FIN;
import static dev.wirewatch.schemas.TcpFlags.RST;
import static dev.wirewatch.schemas.TcpFlags.SYN;

import dev.wirewatch.record.DirectionActivity;
import dev.wirewatch.record.FlowActivity;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.TcpHeader;
import dev.wirewatch.schemas.Addresses;
import dev.wirewatch.schemas.FlowBatches;
import dev.wirewatch.schemas.FlowKey;
import dev.wirewatch.schemas.tcp.TcpRules;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * One flow in a sensor's flow table: what it takes to tell a packet that may change the flow's connection state
 * (sent in full) from steady traffic (summarised), and the summary being built. The processor's
 * {@code ConnectionView} changes state only on SYN, FIN, RST, a side's first packet, its first data and first
 * pure ACK (history letters D and A), zero windows, and after idle time its timers act on; everything else only
 * moves counters and sequence numbers, which a summary carries. The rules here keep that so, which is why
 * alerts and conn_states come out the same in both modes; sequence numbers, keep-alive probes and payload sizes
 * are read by {@link TcpRules}, as the processor reads them.
 */
final class ActiveFlow {
    /** After this long without a packet the next one goes in full: the processor may have ended the connection. */
    static final long IDLE_MICROS = 1_000_000;

    /** One side of the flow, named by who sends. */
    private static final class Side {
        boolean seen;
        boolean sentData;
        boolean sentPureAck;
        boolean zeroWindow;
        boolean owesKeepAliveAnswer;
        boolean seqKnown;
        long seqEnd;
        // the summary in progress
        long packets;
        long dataPackets;
        long ipBytes;
        long payloadBytes;
        long firstTs;
        long lastTs;
        Long highestAck;
        Long lastTsVal;
        int lastWindow;
        long retransmissions;

        void forgetKinds() {
            sentData = false;
            sentPureAck = false;
            zeroWindow = false;
            owesKeepAliveAnswer = false;
        }

        DirectionActivity drain() {
            DirectionActivity activity = DirectionActivity.newBuilder().setPackets(packets).setDataPackets(dataPackets)
                    .setIpBytes(ipBytes).setPayloadBytes(payloadBytes).setFirstTsMicros(firstTs).setLastTsMicros(lastTs)
                    .setHighestSeqEnd(packets > 0 && seqKnown ? seqEnd : null).setHighestAck(highestAck)
                    .setLastTsVal(lastTsVal).setLastWindow(lastWindow).setRetransmissions(retransmissions).build();
            packets = 0;
            dataPackets = 0;
            ipBytes = 0;
            payloadBytes = 0;
            highestAck = null;
            lastTsVal = null;
            retransmissions = 0;
            return activity;
        }
    }

    private final PacketEvent first;
    private final byte[] forwardAddress;
    private final byte[] reverseAddress;
    private final ByteBuffer forwardSource;
    private final int forwardPort;
    private final Side forward = new Side();
    private final Side reverse = new Side();
    private boolean closing;
    /** A SYN went out and no SYN-ACK yet: the processor's attempt timer may end the connection while data flows. */
    private boolean awaitingSynAck;
    private long lastTsMicros = Long.MIN_VALUE;
    /** What goes out at the next release, in capture order: PacketEvents sent in full and FlowActivities. */
    private List<SpecificRecord> held = new ArrayList<>(4);
    private long heldUntilMicros = Long.MIN_VALUE;
    /** On the policy's list of flows to visit at the next flush. */
    boolean dirty;

    ActiveFlow(PacketEvent first) {
        this.first = first;
        this.forwardAddress = Addresses.bytes(first.getSrc());
        this.reverseAddress = Addresses.bytes(first.getDst());
        this.forwardSource = ByteBuffer.wrap(forwardAddress.clone());
        this.forwardPort = first.getSrcPort();
    }

    long lastTsMicros() {
        return lastTsMicros;
    }

    /** The packet that named the flow: its sender is the forward direction of summaries and batches. */
    PacketEvent first() {
        return first;
    }

    void hold(SpecificRecord item) {
        held.add(item);
        heldUntilMicros = Math.max(heldUntilMicros, FlowBatches.timeOf(item));
    }

    List<SpecificRecord> held() {
        return held;
    }

    /** Capture time of the latest item held. */
    long heldUntilMicros() {
        return heldUntilMicros;
    }

    void releaseHeld() {
        held = new ArrayList<>(4);
        heldUntilMicros = Long.MIN_VALUE;
    }

    boolean hasSummary() {
        return forward.packets > 0 || reverse.packets > 0;
    }

    private boolean isForward(PacketEvent packet) {
        return packet.getSrcPort() == forwardPort && packet.getSrc().equals(forwardSource);
    }

    /** True when the processor must see this packet itself, not in a summary. */
    boolean mustSendInFull(PacketEvent packet) {
        long ts = packet.getTsMicros();
        if (closing || awaitingSynAck || lastTsMicros == Long.MIN_VALUE || ts < lastTsMicros
                || ts - lastTsMicros > IDLE_MICROS) {
            return true;
        }
        boolean isForward = isForward(packet);
        Side side = isForward ? forward : reverse;
        Side other = isForward ? reverse : forward;
        if (!side.seen || !other.seen || side.owesKeepAliveAnswer) {
            return true; // one-sided so far (nothing is steady yet), or the answer to a keep-alive
        }
        TcpHeader tcp = packet.getTcp();
        if (tcp == null) {
            return packet.getProtocol() != FlowKey.UDP;
        }
        int flags = tcp.getFlags();
        if ((flags & (SYN | FIN | RST)) != 0 || (flags & ACK) == 0 || tcp.getWindow() == 0 || side.zeroWindow) {
            return true;
        }
        int length = tcp.getPayloadLength();
        if (length > 0 ? !side.sentData : !side.sentPureAck) {
            return true;
        }
        return isKeepAlive(side, tcp);
    }

    /** A keep-alive probe: zero or one byte at one below the next sequence number. */
    private static boolean isKeepAlive(Side side, TcpHeader tcp) {
        return side.seqKnown && TcpRules.isKeepAliveProbe(tcp.getSeq(), tcp.getPayloadLength(), side.seqEnd);
    }

    /** Notes a packet that goes out in full. */
    void sentInFull(PacketEvent packet) {
        boolean isForward = isForward(packet);
        Side side = isForward ? forward : reverse;
        Side other = isForward ? reverse : forward;
        lastTsMicros = Math.max(lastTsMicros, packet.getTsMicros());
        side.seen = true;
        side.owesKeepAliveAnswer = false;
        TcpHeader tcp = packet.getTcp();
        if (tcp == null) {
            return;
        }
        int flags = tcp.getFlags();
        int length = tcp.getPayloadLength();
        if ((flags & SYN) != 0) {
            // A SYN may open a new connection on the same ports: every side starts afresh.
            forward.forgetKinds();
            reverse.forgetKinds();
            awaitingSynAck = (flags & ACK) == 0;
        }
        if ((flags & (FIN | RST)) != 0) {
            closing = true;
        }
        if ((flags & (SYN | FIN | RST)) == 0) {
            if (length > 0) {
                side.sentData = true;
            } else if ((flags & ACK) != 0) {
                side.sentPureAck = true;
            }
        }
        if ((flags & (SYN | FIN | RST)) == 0 && (flags & ACK) != 0 && other.seen && isKeepAlive(side, tcp)) {
            other.owesKeepAliveAnswer = true;
        }
        side.zeroWindow = tcp.getWindow() == 0 && (flags & RST) == 0;
        advanceSequence(side, tcp, flags, length, false);
    }

    /** Adds a steady packet to the summary in progress. */
    void summarise(PacketEvent packet) {
        Side side = isForward(packet) ? forward : reverse;
        long ts = packet.getTsMicros();
        lastTsMicros = Math.max(lastTsMicros, ts);
        if (side.packets == 0) {
            side.firstTs = ts;
        }
        side.lastTs = ts;
        side.packets++;
        side.ipBytes += packet.getIpLength();
        TcpHeader tcp = packet.getTcp();
        if (tcp == null) {
            long payload = TcpRules.payloadEstimate(packet.getIpVersion(), packet.getIpLength(), packet.getProtocol());
            side.payloadBytes += payload;
            side.dataPackets += payload > 0 ? 1 : 0;
            return;
        }
        int length = tcp.getPayloadLength();
        side.payloadBytes += length;
        side.dataPackets += length > 0 ? 1 : 0;
        side.lastWindow = tcp.getWindow();
        if (tcp.getTsVal() != null) {
            side.lastTsVal = tcp.getTsVal();
        }
        if (side.highestAck == null || TcpRules.delta(tcp.getAck(), side.highestAck) > 0) {
            side.highestAck = tcp.getAck();
        }
        advanceSequence(side, tcp, tcp.getFlags(), length, true);
    }

    /** The highest sequence sent, as the processor's view tracks it; a payload below it is a retransmission. */
    private static void advanceSequence(Side side, TcpHeader tcp, int flags, int length, boolean countRetransmission) {
        long onePast = (tcp.getSeq() + TcpRules.segmentLength(flags, length)) & 0xffffffffL;
        if (!side.seqKnown) {
            side.seqKnown = true;
            side.seqEnd = onePast;
            return;
        }
        if ((flags & SYN) != 0) {
            side.seqEnd = onePast; // a SYN starts the side's sequence space afresh, as the processor's view does
            return;
        }
        int delta = TcpRules.delta(onePast, side.seqEnd);
        if (TcpRules.untrustedJump(flags, delta)) {
            return;
        }
        if (delta > 0) {
            side.seqEnd = onePast;
        } else if (countRetransmission && TcpRules.isRetransmission(delta, length)) {
            side.retransmissions++;
        }
    }

    /** The summary of what was summarised since the last one; null when nothing was. */
    FlowActivity drainSummary() {
        if (!hasSummary()) {
            return null;
        }
        long last = Math.max(forward.packets > 0 ? forward.lastTs : Long.MIN_VALUE,
                reverse.packets > 0 ? reverse.lastTs : Long.MIN_VALUE);
        return FlowActivity.newBuilder().setHost(first.getHost()).setIface(first.getIface()).setTsMicros(last)
                .setIpVersion(first.getIpVersion()).setSrc(ByteBuffer.wrap(forwardAddress))
                .setDst(ByteBuffer.wrap(reverseAddress))
                .setProtocol(first.getProtocol()).setSrcPort(first.getSrcPort()).setDstPort(first.getDstPort())
                .setForward(forward.drain()).setReverse(reverse.drain()).build();
    }
}
