package dev.wirewatch.processor.flow;

import dev.wirewatch.record.Tick;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the ticks of one sensor say: how far its capture time has got, whether its input ended (a file fully read)
 * or it stopped on purpose, and over which spans some of its interfaces were not captured (blind). A sensor's
 * silence counts as evidence only up to {@code lastTickMicros}, never on an interface over a blind span, and never
 * before it started: {@code firstTickMicros} less one tick interval (a sensor started after the others is no
 * witness of what passed before it; {@link Absent#NONE} in stores written before this was kept).
 */
public record SensorLiveness(long lastTickMicros, boolean ended, boolean stopped, List<BlindSpan> blind,
                             long firstTickMicros) {
    public static final SensorLiveness NEVER_SEEN = new SensorLiveness(Absent.NONE, false, false, List.of(), Absent.NONE);
    /** A sensor ticks once a second of capture time: its first tick says it captured since one interval before. */
    static final long TICK_INTERVAL_MICROS = 1_000_000;
    /** Stands for every interface: the sensor was not running at all (between a planned stop and its return). */
    public static final String EVERY_INTERFACE = "*";
    /** Blind spans are kept this long in capture time: longer than any verdict waits for its evidence. */
    static final long BLIND_KEPT_MICROS = 3_600_000_000L;
    /** At most this many episodes are kept; beyond, the oldest two merge (wider, so never less blind). */
    static final int MAX_SPANS = 32;

    /** {@code ifaces} were not captured at some moment in ({@code fromMicros}, {@code toMicros}]. */
    public record BlindSpan(long fromMicros, long toMicros, Set<String> ifaces) {
        boolean overlaps(long from, long to) {
            return fromMicros < to && toMicros >= from;
        }

        boolean covers(String iface) {
            return iface == null || ifaces.contains(iface) || ifaces.contains(EVERY_INTERFACE);
        }
    }

    /** The sensor reported capture time at or beyond {@code micros}. */
    public boolean coveredUntil(long micros) {
        return lastTickMicros >= micros;
    }

    /**
     * Its silence on {@code iface} (null: on any of its interfaces) from {@code fromMicros} to {@code toMicros} is
     * evidence of absence: it ticked past the span and captured the interface throughout.
     */
    public boolean watched(String iface, long fromMicros, long toMicros) {
        return coveredUntil(toMicros) && !blindOver(iface, fromMicros, toMicros);
    }

    /** Some capture of {@code iface} (null: any) was down at a moment between {@code fromMicros} and {@code toMicros}. */
    public boolean blindOver(String iface, long fromMicros, long toMicros) {
        return fromMicros < capturingSinceMicros() || blind.stream().anyMatch(span -> span.overlaps(fromMicros, toMicros) && span.covers(iface));
    }

    /** Since when the sensor captured ({@link Absent#NONE}: unknown, stored before first ticks were kept). */
    public long capturingSinceMicros() {
        return firstTickMicros == Absent.NONE ? Absent.NONE : firstTickMicros - TICK_INTERVAL_MICROS;
    }

    /** What the ticks say once {@code tick} is added. */
    public SensorLiveness next(Tick tick) {
        long ts = tick.getTsMicros();
        List<BlindSpan> spans = new ArrayList<>(blind);
        Set<String> ifaces = new TreeSet<>();
        tick.getBlind().forEach(iface -> ifaces.add(iface.toString()));
        long from = this == NEVER_SEEN || lastTickMicros == Absent.NONE ? ts - TICK_INTERVAL_MICROS : lastTickMicros;
        if (stopped && !tick.getStopped() && ts > lastTickMicros) {
            ifaces.add(EVERY_INTERFACE); // back after a planned stop: nothing was captured in between
        }
        if (!ifaces.isEmpty() && ts > from) {
            addSpan(spans, new BlindSpan(from, ts, ifaces));
        }
        long last = Math.max(lastTickMicros, ts);
        spans.removeIf(span -> span.toMicros() < last - BLIND_KEPT_MICROS);
        long first = lastTickMicros == Absent.NONE ? ts : firstTickMicros;
        return new SensorLiveness(last, tick.getEndOfInput(), tick.getStopped(), List.copyOf(spans), first);
    }

    private static void addSpan(List<BlindSpan> spans, BlindSpan span) {
        BlindSpan latest = spans.isEmpty() ? null : spans.get(spans.size() - 1);
        if (latest != null && latest.ifaces().equals(span.ifaces()) && latest.toMicros() >= span.fromMicros()) {
            spans.set(spans.size() - 1, new BlindSpan(latest.fromMicros(), Math.max(latest.toMicros(), span.toMicros()),
                    latest.ifaces()));
            return;
        }
        spans.add(span);
        if (spans.size() > MAX_SPANS) {
            BlindSpan first = spans.remove(0);
            BlindSpan second = spans.get(0);
            Set<String> both = new TreeSet<>(first.ifaces());
            both.addAll(second.ifaces());
            spans.set(0, new BlindSpan(first.fromMicros(), second.toMicros(), both));
        }
    }

    public byte[] toBytes() {
        List<byte[]> names = new ArrayList<>();
        int size = 8 + 1 + 1 + 4 + 8;
        for (BlindSpan span : blind) {
            size += 8 + 8 + 4;
            for (String iface : span.ifaces()) {
                byte[] name = iface.getBytes(StandardCharsets.UTF_8);
                names.add(name);
                size += 4 + name.length;
            }
        }
        ByteBuffer buffer = ByteBuffer.allocate(size).putLong(lastTickMicros).put((byte) (ended ? 1 : 0))
                .put((byte) (stopped ? 1 : 0)).putInt(blind.size());
        int next = 0;
        for (BlindSpan span : blind) {
            buffer.putLong(span.fromMicros()).putLong(span.toMicros()).putInt(span.ifaces().size());
            for (int i = 0; i < span.ifaces().size(); i++) {
                byte[] name = names.get(next++);
                buffer.putInt(name.length).put(name);
            }
        }
        return buffer.putLong(firstTickMicros).array();
    }

    /**
     * Reads what {@link #toBytes} wrote, the 9 bytes of stores written before blind spans and stops existed, and
     * those written before the first tick was kept.
     */
    public static SensorLiveness fromBytes(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long last = buffer.getLong();
        boolean ended = buffer.get() != 0;
        if (!buffer.hasRemaining()) {
            return new SensorLiveness(last, ended, false, List.of(), Absent.NONE);
        }
        boolean stopped = buffer.get() != 0;
        int count = buffer.getInt();
        List<BlindSpan> spans = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long from = buffer.getLong();
            long to = buffer.getLong();
            int names = buffer.getInt();
            Set<String> ifaces = new TreeSet<>();
            for (int n = 0; n < names; n++) {
                byte[] name = new byte[buffer.getInt()];
                buffer.get(name);
                ifaces.add(new String(name, StandardCharsets.UTF_8));
            }
            spans.add(new BlindSpan(from, to, ifaces));
        }
        long first = buffer.remaining() >= 8 ? buffer.getLong() : Absent.NONE;
        return new SensorLiveness(last, ended, stopped, List.copyOf(spans), first);
    }
}
