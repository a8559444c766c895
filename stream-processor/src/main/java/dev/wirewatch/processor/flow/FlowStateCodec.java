package dev.wirewatch.processor.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The flow store's bytes for a {@link FlowState}. Production keeps hundreds of thousands of idle connections for
 * hours, each at most 300 bytes (issue 17), so: numbers are varints ({@link VarintWriter}); a time is a zigzag
 * delta from a near time of the same view (an idle connection's times are hours from its start, but close to its
 * last packet); each object starts with a bitmap of the fields that differ from their start value (0, -1,
 * {@link Absent#NONE} or {@link Absent#NEVER}: each field's own), and the others cost nothing; a view on the
 * same addresses and ports as the view before it does not repeat them. Every field comes back exactly: each matters
 * to some detector. {@link ViewCodec} writes the views.
 *
 * <p>Layout: version, the views (vantage host and interface, view), then the flow's own fields, whose times are
 * deltas from the flow's last packet. Writes this version only; {@link LegacyFlowStateReader} reads versions 4
 * and 5 (fixed-width, before issue 17), so stores and changelogs written before an upgrade still load.
 */
public final class FlowStateCodec {
    /** 7 added the connections held aside (an instance of version 6 refuses them instead of misreading them). */
    static final byte VERSION = 7;
    private static final byte WITHOUT_HELD_ASIDE = 6;

    /**
     * Settled alert types stored as a bit each, bit i for entry i. Append only: a stored bit keeps its meaning. A
     * type not listed is stored by name.
     */
    static final List<String> SETTLED_TYPES = List.of("UNANSWERED_SYN", "INJECTED_RST", "KEEPALIVE_UNANSWERED",
            "HALF_OPEN_SESSION", "ICMP_REDIRECT_IGNORED");

    // Which flow fields are stored.
    private static final int DEADLINE = 1;
    private static final int TIMER = 1 << 1;
    private static final int TIMER_AT_DEADLINE = 1 << 2;
    private static final int REDIRECT = 1 << 3;
    private static final int DROP_REASONS = 1 << 4;
    private static final int SETTLED_BY_NAME = 1 << 5;
    private static final int HELD_ASIDE = 1 << 6;

    // Which redirect watch fields are stored.
    private static final int OLD_MAC = 1;
    private static final int GATEWAY = 1 << 1;
    private static final int SUGGESTED = 1 << 2;
    private static final int FIRST_VIA_OLD = 1 << 3;
    private static final int LAST_VIA_OLD = 1 << 4;
    private static final int RETRANSMITTED_BEFORE = 1 << 5;
    private static final int SECOND = 1 << 6;
    private static final int SENT_PAST_COUNT = 1 << 7;

    private FlowStateCodec() {}

    public static byte[] encode(FlowState state) {
        VarintWriter out = new VarintWriter();
        out.fixed(VERSION, 1);
        out.unsigned(state.views().size());
        ConnectionView previous = null;
        for (FlowState.Seen seen : state.views()) {
            out.string(seen.vantage().host());
            out.string(seen.vantage().iface());
            ViewCodec.write(out, seen.view(), previous);
            previous = seen.view();
        }
        long lastSeen = state.lastSeenMicros();
        long deadline = state.deadlineMicros();
        long timer = state.timerMicros();
        long settledBits = 0;
        List<String> settledByName = new ArrayList<>();
        for (String type : state.settledTypes()) {
            int bit = SETTLED_TYPES.indexOf(type);
            if (bit >= 0) {
                settledBits |= 1L << bit;
            } else {
                settledByName.add(type);
            }
        }
        RedirectWatch redirect = state.redirect().orElse(null);
        Map<String, String> dropReasons = state.dropReasons();
        int flags = (deadline != Absent.NEVER ? DEADLINE : 0)
                | (timer != Absent.NEVER ? TIMER : 0)
                | (timer != Absent.NEVER && timer == deadline ? TIMER_AT_DEADLINE : 0)
                | (redirect != null ? REDIRECT : 0)
                | (!dropReasons.isEmpty() ? DROP_REASONS : 0)
                | (!settledByName.isEmpty() ? SETTLED_BY_NAME : 0)
                | (!state.heldAside().isEmpty() ? HELD_ASIDE : 0);
        out.unsigned(flags);
        out.unsigned(settledBits);
        if ((flags & SETTLED_BY_NAME) != 0) {
            out.unsigned(settledByName.size());
            settledByName.forEach(out::string);
        }
        if ((flags & DEADLINE) != 0) {
            out.signed(deadline - lastSeen);
        }
        if ((flags & TIMER) != 0 && (flags & TIMER_AT_DEADLINE) == 0) {
            out.signed(timer - lastSeen);
        }
        if (redirect != null) {
            writeRedirect(out, redirect, lastSeen);
        }
        if ((flags & DROP_REASONS) != 0) {
            out.unsigned(dropReasons.size());
            dropReasons.forEach((host, reason) -> {
                out.string(host);
                out.string(reason);
            });
        }
        if ((flags & HELD_ASIDE) != 0) {
            out.unsigned(state.heldAside().size());
            state.heldAside().forEach(firstSeen -> out.signed(firstSeen - lastSeen));
        }
        return out.toByteArray();
    }

    /** Any stored version; an unknown version or corrupt bytes fail with an {@link IllegalStateException}. */
    public static FlowState decode(byte[] bytes) {
        if (bytes.length == 0) {
            throw new IllegalStateException("flow state is empty");
        }
        return switch (bytes[0]) {
            case VERSION, WITHOUT_HELD_ASIDE -> read(new VarintReader(bytes, 1));
            case LegacyFlowStateReader.VERSION, LegacyFlowStateReader.WITHOUT_DROP_REASONS ->
                    LegacyFlowStateReader.read(bytes);
            default -> throw new IllegalStateException("flow state version " + bytes[0] + " is not supported");
        };
    }

    private static FlowState read(VarintReader in) {
        int count = in.unsignedInt();
        List<FlowState.Seen> views = new ArrayList<>();
        ConnectionView previous = null;
        for (int i = 0; i < count; i++) {
            Vantage vantage = new Vantage(in.string(), in.string());
            previous = ViewCodec.read(in, previous);
            views.add(new FlowState.Seen(vantage, previous));
        }
        long lastSeen = views.stream().mapToLong(seen -> seen.view().lastSeenMicros()).max().orElse(0);
        int flags = in.unsignedInt();
        long settledBits = in.unsigned();
        Set<String> settled = new TreeSet<>();
        for (int bit = 0; bit < 64; bit++) {
            if ((settledBits & 1L << bit) != 0) {
                if (bit >= SETTLED_TYPES.size()) {
                    throw new IllegalStateException("flow state names settled type " + bit + ", which is not known");
                }
                settled.add(SETTLED_TYPES.get(bit));
            }
        }
        for (int i = (flags & SETTLED_BY_NAME) != 0 ? in.unsignedInt() : 0; i > 0; i--) {
            settled.add(in.string());
        }
        long deadline = (flags & DEADLINE) != 0 ? lastSeen + in.signed() : Absent.NEVER;
        long timer = Absent.NEVER;
        if ((flags & TIMER) != 0) {
            timer = (flags & TIMER_AT_DEADLINE) != 0 ? deadline : lastSeen + in.signed();
        }
        RedirectWatch redirect = (flags & REDIRECT) != 0 ? readRedirect(in, lastSeen) : null;
        Map<String, String> dropReasons = new TreeMap<>();
        for (int i = (flags & DROP_REASONS) != 0 ? in.unsignedInt() : 0; i > 0; i--) {
            dropReasons.put(in.string(), in.string());
        }
        List<Long> heldAside = new ArrayList<>();
        for (int i = (flags & HELD_ASIDE) != 0 ? in.unsignedInt() : 0; i > 0; i--) {
            heldAside.add(lastSeen + in.signed());
        }
        in.expectEnd();
        FlowState state = new FlowState(views, settled, deadline, timer, redirect, dropReasons);
        state.heldAside(heldAside);
        return state;
    }

    private static void writeRedirect(VarintWriter out, RedirectWatch watch, long lastSeen) {
        out.string(watch.vantage.host());
        out.string(watch.vantage.iface());
        int flags = (watch.oldMac != null ? OLD_MAC : 0)
                | (watch.gateway != null ? GATEWAY : 0)
                | (watch.suggested != null ? SUGGESTED : 0)
                | (watch.firstViaOldMicros != Absent.NONE ? FIRST_VIA_OLD : 0)
                | (watch.lastViaOldMicros != Absent.NONE ? LAST_VIA_OLD : 0)
                | (watch.retransmittedBefore ? RETRANSMITTED_BEFORE : 0)
                | (watch.secondMicros != Absent.NONE ? SECOND : 0)
                | (watch.sentPastCount ? SENT_PAST_COUNT : 0);
        out.unsigned(flags);
        out.unsigned(watch.src.length);
        out.bytes(watch.src);
        out.unsigned(watch.dst.length);
        out.bytes(watch.dst);
        for (String text : new String[] {watch.oldMac, watch.gateway, watch.suggested}) {
            if (text != null) {
                out.string(text);
            }
        }
        out.signed(watch.firstMicros - lastSeen);
        out.signed(watch.lastMicros - watch.firstMicros);
        out.unsigned(watch.redirects);
        out.unsigned(watch.viaOld);
        out.unsigned(watch.viaOther);
        out.unsigned(watch.answers);
        if ((flags & FIRST_VIA_OLD) != 0) {
            out.signed(watch.firstViaOldMicros - watch.firstMicros);
        }
        if ((flags & LAST_VIA_OLD) != 0) {
            out.signed(watch.lastViaOldMicros - watch.firstMicros);
        }
        if ((flags & SECOND) != 0) {
            out.signed(watch.secondMicros - watch.firstMicros);
        }
    }

    private static RedirectWatch readRedirect(VarintReader in, long lastSeen) {
        Vantage vantage = new Vantage(in.string(), in.string());
        int flags = in.unsignedInt();
        byte[] src = in.bytes(in.unsignedInt());
        byte[] dst = in.bytes(in.unsignedInt());
        String oldMac = (flags & OLD_MAC) != 0 ? in.string() : null;
        String gateway = (flags & GATEWAY) != 0 ? in.string() : null;
        String suggested = (flags & SUGGESTED) != 0 ? in.string() : null;
        long firstMicros = lastSeen + in.signed();
        RedirectWatch watch = new RedirectWatch(vantage, src, dst, oldMac, gateway, suggested, firstMicros);
        watch.lastMicros = firstMicros + in.signed();
        watch.redirects = in.unsignedInt();
        watch.viaOld = in.unsigned();
        watch.viaOther = in.unsigned();
        watch.answers = in.unsigned();
        watch.firstViaOldMicros = (flags & FIRST_VIA_OLD) != 0 ? firstMicros + in.signed() : Absent.NONE;
        watch.lastViaOldMicros = (flags & LAST_VIA_OLD) != 0 ? firstMicros + in.signed() : Absent.NONE;
        watch.retransmittedBefore = (flags & RETRANSMITTED_BEFORE) != 0;
        watch.sentPastCount = (flags & SENT_PAST_COUNT) != 0;
        watch.secondMicros = (flags & SECOND) != 0 ? firstMicros + in.signed() : Absent.NONE;
        return watch;
    }
}
