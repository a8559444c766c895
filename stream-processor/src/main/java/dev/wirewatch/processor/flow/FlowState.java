package dev.wirewatch.processor.flow;

import dev.wirewatch.record.PacketEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One flow as every vantage saw it: a {@link ConnectionView} per (host, interface), plus what the detectors
 * already decided about it. Lives in the processor's flow store, keyed by the canonical flow key.
 */
public final class FlowState {
    private static final byte VERSION = 5;
    /** Version 4 lacked the kernel drop reasons; it reads as none. */
    private static final byte WITHOUT_DROP_REASONS = 4;

    /** One vantage's view. */
    public record Seen(Vantage vantage, ConnectionView view) {}

    private final List<Seen> views;
    private final Set<String> settledTypes;
    private long deadlineMicros;
    private long timerMicros;
    private RedirectWatch redirect;
    private final Map<String, String> dropReasons = new TreeMap<>();

    public FlowState() {
        this(new ArrayList<>(), new TreeSet<>(), Long.MAX_VALUE, Long.MAX_VALUE);
    }

    private FlowState(List<Seen> views, Set<String> settledTypes, long deadlineMicros, long timerMicros) {
        this.views = views;
        this.settledTypes = settledTypes;
        this.deadlineMicros = deadlineMicros;
        this.timerMicros = timerMicros;
    }

    public List<Seen> views() {
        return views;
    }

    public Optional<ConnectionView> view(Vantage vantage) {
        return views.stream().filter(seen -> seen.vantage().equals(vantage)).map(Seen::view).findFirst();
    }

    /**
     * Adds a vantage's view in the order the vantages first saw the flow, not the order their records arrived: a
     * sensor that ships a second's packets at once, or lags, must not change which view leads (primary, evidence).
     */
    public void add(Vantage vantage, ConnectionView view) {
        int at = views.size();
        while (at > 0 && views.get(at - 1).view().firstSeenMicros() > view.firstSeenMicros()) {
            at--;
        }
        views.add(at, new Seen(vantage, view));
    }

    /** The detector of this alert type has settled this flow (alerted, or found nothing to report). */
    public boolean settled(String type) {
        return settledTypes.contains(type);
    }

    public void markSettled(String type) {
        settledTypes.add(type);
    }

    public long deadlineMicros() {
        return deadlineMicros;
    }

    public void deadlineMicros(long deadline) {
        deadlineMicros = deadline;
    }

    /**
     * When the timer armed for this flow fires ({@code Long.MAX_VALUE}: none). It may be earlier than the deadline:
     * a deadline that moves later (every packet pushes the idle expiry) leaves the timer where it is, and the
     * timer re-arms itself when it fires, which spares two timer-store writes per packet.
     */
    public long timerMicros() {
        return timerMicros;
    }

    public void timerMicros(long timer) {
        timerMicros = timer;
    }

    /** The view that shows the connection's orientation best: the first one that saw the originator's SYN. */
    public ConnectionView primary() {
        return views.stream().map(Seen::view).filter(view -> view.synCount() > 0).findFirst()
                .orElse(views.get(0).view());
    }

    /** What the host did after an ICMP redirect about this flow, if one came. */
    public Optional<RedirectWatch> redirect() {
        return Optional.ofNullable(redirect);
    }

    /** An ICMP redirect about this flow, seen at {@code vantage}; the first one starts the watch. */
    void redirected(Vantage vantage, PacketEvent packet) {
        if (redirect == null) {
            boolean retransmitted = view(vantage).map(view -> view.history().toUpperCase().contains("T")).orElse(false);
            redirect = RedirectWatch.start(vantage, packet, retransmitted);
        } else {
            redirect.redirectedAgain(packet.getTsMicros());
        }
    }

    /** The kernel of {@code host} dropped a SYN of this flow for {@code reason} (the latest reason wins). */
    void droppedBy(String host, String reason) {
        dropReasons.put(host, reason);
    }

    /** Why the kernel of {@code host} dropped this flow's SYNs, if its sensor read drop reasons. */
    public Optional<String> dropReason(String host) {
        return Optional.ofNullable(dropReasons.get(host));
    }

    public long firstSeenMicros() {
        return views.stream().mapToLong(seen -> seen.view().firstSeenMicros()).min().orElse(0);
    }

    public long lastSeenMicros() {
        return views.stream().mapToLong(seen -> seen.view().lastSeenMicros()).max().orElse(0);
    }

    public byte[] toBytes() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(VERSION);
            out.writeShort(settledTypes.size());
            for (String type : settledTypes) {
                out.writeUTF(type);
            }
            out.writeLong(deadlineMicros);
            out.writeLong(timerMicros);
            out.writeBoolean(redirect != null);
            if (redirect != null) {
                redirect.write(out);
            }
            out.writeShort(dropReasons.size());
            for (Map.Entry<String, String> drop : dropReasons.entrySet()) {
                out.writeUTF(drop.getKey());
                out.writeUTF(drop.getValue());
            }
            out.writeShort(views.size());
            for (Seen seen : views) {
                out.writeUTF(seen.vantage().host());
                out.writeUTF(seen.vantage().iface());
                byte[] view = seen.view().toBytes();
                out.writeInt(view.length);
                out.write(view);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static FlowState fromBytes(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            byte version = in.readByte();
            if (version != VERSION && version != WITHOUT_DROP_REASONS) {
                throw new IllegalStateException("flow state version " + version + " is not supported");
            }
            Set<String> settled = new TreeSet<>();
            for (int i = in.readUnsignedShort(); i > 0; i--) {
                settled.add(in.readUTF());
            }
            long deadline = in.readLong();
            long timer = in.readLong();
            RedirectWatch redirect = in.readBoolean() ? RedirectWatch.read(in) : null;
            Map<String, String> dropReasons = new TreeMap<>();
            for (int i = version == VERSION ? in.readUnsignedShort() : 0; i > 0; i--) {
                dropReasons.put(in.readUTF(), in.readUTF());
            }
            int count = in.readUnsignedShort();
            List<Seen> views = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                Vantage vantage = new Vantage(in.readUTF(), in.readUTF());
                byte[] view = new byte[in.readInt()];
                in.readFully(view);
                views.add(new Seen(vantage, ConnectionView.fromBytes(view)));
            }
            FlowState state = new FlowState(views, settled, deadline, timer);
            state.redirect = redirect;
            state.dropReasons.putAll(dropReasons);
            return state;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
