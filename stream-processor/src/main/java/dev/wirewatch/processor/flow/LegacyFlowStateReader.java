package dev.wirewatch.processor.flow;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads flow states as versions 4 and 5 stored them (DataOutputStream: fixed-width numbers, settled types by name,
 * each view as a ConnectionView version 3 after its length), so a store or changelog written before the compact
 * {@link FlowStateCodec} loads after an upgrade; the next write stores it compactly. Never written any more: keep
 * it as long as such stores may exist.
 */
final class LegacyFlowStateReader {
    static final byte VERSION = 5;
    /** Version 4 lacked the kernel drop reasons; it reads as none. */
    static final byte WITHOUT_DROP_REASONS = 4;
    private static final byte VIEW_VERSION = 3;

    private LegacyFlowStateReader() {}

    static FlowState read(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            byte version = in.readByte();
            Set<String> settled = new TreeSet<>();
            for (int i = in.readUnsignedShort(); i > 0; i--) {
                settled.add(in.readUTF());
            }
            long deadline = in.readLong();
            long timer = in.readLong();
            RedirectWatch redirect = in.readBoolean() ? readRedirect(in) : null;
            Map<String, String> dropReasons = new TreeMap<>();
            for (int i = version == VERSION ? in.readUnsignedShort() : 0; i > 0; i--) {
                dropReasons.put(in.readUTF(), in.readUTF());
            }
            int count = in.readUnsignedShort();
            List<FlowState.Seen> views = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                Vantage vantage = new Vantage(in.readUTF(), in.readUTF());
                byte[] view = new byte[in.readInt()];
                in.readFully(view);
                views.add(new FlowState.Seen(vantage, readView(view)));
            }
            return new FlowState(views, settled, deadline, timer, redirect, dropReasons);
        } catch (IOException e) {
            throw new IllegalStateException("flow state of version " + bytes[0] + " is corrupt: " + e, e);
        }
    }

    private static ConnectionView readView(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        byte version = in.readByte();
        if (version != VIEW_VERSION) {
            throw new IllegalStateException("unsupported connection view version " + version);
        }
        ConnectionView view = new ConnectionView();
        view.protocol = in.readUnsignedByte();
        int length = in.readUnsignedByte();
        view.origAddress = in.readNBytes(length);
        view.respAddress = in.readNBytes(length);
        view.origPort = in.readUnsignedShort();
        view.respPort = in.readUnsignedShort();
        view.orig = readEndpoint(in);
        view.resp = readEndpoint(in);
        view.history.letters = new StringBuilder(in.readUTF());
        view.history.seen = in.readInt();
        view.startMicros = in.readLong();
        view.lastMicros = in.readLong();
        view.lastPacketMicros = in.readLong();
        view.origPackets = in.readLong();
        view.respPackets = in.readLong();
        view.origPayload = in.readLong();
        view.respPayload = in.readLong();
        view.timers.attemptFrom = in.readLong();
        view.timers.partialCloseFrom = in.readLong();
        view.timers.closeExpireFrom = in.readLong();
        view.timers.deleteFrom = in.readLong();
        view.timers.resetFrom = in.readLong();
        view.timers.cancelled = in.readBoolean();
        return view;
    }

    private static TcpEndpoint readEndpoint(DataInputStream in) throws IOException {
        TcpEndpoint endpoint = new TcpEndpoint();
        endpoint.state = EndpointState.of(in.readByte());
        endpoint.prevState = EndpointState.of(in.readByte());
        endpoint.startSeq = in.readLong();
        endpoint.lastRel = in.readLong();
        endpoint.ackRel = in.readLong();
        endpoint.dataEndRel = in.readLong();
        endpoint.finSeqRel = in.readLong();
        endpoint.finCount = in.readInt();
        endpoint.rstCount = in.readInt();
        endpoint.didClose = in.readBoolean();
        endpoint.histLastSyn = in.readLong();
        endpoint.histLastFin = in.readLong();
        endpoint.histLastRst = in.readLong();
        for (int kind = 0; kind < endpoint.scaledCount.length; kind++) {
            endpoint.scaledCount[kind] = in.readLong();
            endpoint.scaledThreshold[kind] = in.readLong();
        }
        endpoint.synCount = in.readInt();
        endpoint.firstSynMicros = noneFor(in.readLong(), 0);
        endpoint.lastSynMicros = noneFor(in.readLong(), 0);
        endpoint.firstSynTsVal = noneFor(in.readLong(), -1);
        endpoint.firstSynAckMicros = in.readLong();
        endpoint.sentRst = in.readBoolean();
        endpoint.sentOnlySyns = in.readBoolean();
        endpoint.packetsSent = in.readLong();
        endpoint.lastSentMicros = in.readLong();
        endpoint.firstRstMicros = in.readLong();
        endpoint.firstFinMicros = in.readLong();
        endpoint.probeRun = in.readInt();
        endpoint.probeRunFirstMicros = noneFor(in.readLong(), 0);
        endpoint.probeRunLastMicros = noneFor(in.readLong(), 0);
        endpoint.provenUnansweredProbes = in.readInt();
        return endpoint;
    }

    /** Those fields said "none" with {@code legacyNone}; the MIN_VALUE and MAX_VALUE of the others are Absent's. */
    private static long noneFor(long value, long legacyNone) {
        return value == legacyNone ? Absent.NONE : value;
    }

    /** Absent MACs and next hops were stored as empty strings. */
    private static RedirectWatch readRedirect(DataInputStream in) throws IOException {
        Vantage vantage = new Vantage(in.readUTF(), in.readUTF());
        byte[] src = new byte[in.readUnsignedByte()];
        in.readFully(src);
        byte[] dst = new byte[src.length];
        in.readFully(dst);
        String oldMac = in.readUTF();
        String gateway = in.readUTF();
        String suggested = in.readUTF();
        RedirectWatch watch = new RedirectWatch(vantage, src, dst, oldMac.isEmpty() ? null : oldMac, gateway,
                suggested.isEmpty() ? null : suggested, in.readLong());
        watch.lastMicros = in.readLong();
        watch.redirects = (int) in.readLong();
        watch.viaOld = in.readLong();
        watch.viaOther = in.readLong();
        watch.firstViaOldMicros = noneFor(in.readLong(), Long.MAX_VALUE);
        watch.lastViaOldMicros = in.readLong();
        watch.answers = in.readLong();
        watch.retransmittedBefore = in.readBoolean();
        // Older stores did not keep the second redirect's time: the latest one stands for it (no earlier evidence).
        watch.secondMicros = watch.redirects >= 2 ? watch.lastMicros : Absent.NONE;
        return watch;
    }
}
