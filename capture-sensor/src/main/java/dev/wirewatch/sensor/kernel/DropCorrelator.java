package dev.wirewatch.sensor.kernel;

import dev.wirewatch.record.KernelDrop;
import dev.wirewatch.record.PacketEvent;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * Pairs the kernel's drops with the SYNs the sensor saw arrive. The tracepoint says why a packet died, not which one,
 * so the pairing is by time: libpcap's tap sees an inbound packet before netfilter and the TCP stack judge it, so its
 * drop follows within microseconds. A drop is the SYN's when it lies within {@link #EARLY_MICROS} before to
 * {@link #LATE_MICROS} after it (clock conversion error and scheduling), the closest unpaired SYN wins, and a SYN is
 * paired once. Either side may come first: the capture thread and the trace reader run apart.
 */
public final class DropCorrelator {
    static final long EARLY_MICROS = 3_000;
    static final long LATE_MICROS = 20_000;
    /** What is kept waiting for a partner, in capture time behind the newest item. */
    private static final long KEPT_MICROS = 2_000_000;

    /** A drop of an IPv4 or IPv6 packet, in capture time. */
    public record Drop(long tsMicros, String reason, String location) {}

    private record Syn(long tsMicros, PacketEvent packet) {}

    private final String host;
    private final Consumer<KernelDrop> paired;
    private final Deque<Syn> syns = new ArrayDeque<>();
    private final Deque<Drop> drops = new ArrayDeque<>();
    private long newestMicros = Long.MIN_VALUE;

    public DropCorrelator(String host, Consumer<KernelDrop> paired) {
        this.host = host;
        this.paired = paired;
    }

    /** A captured packet; only pure SYNs (no ACK) are kept. */
    public synchronized void packet(PacketEvent packet) {
        if (packet.getTcp() == null || (packet.getTcp().getFlags() & 0x12) != 0x02) {
            return;
        }
        Syn syn = new Syn(packet.getTsMicros(), packet);
        advance(syn.tsMicros());
        Drop best = closest(drops, drop -> fits(syn, drop), drop -> distance(syn, drop));
        if (best != null) {
            drops.remove(best);
            pair(syn, best);
        } else {
            syns.addLast(syn);
        }
    }

    public synchronized void drop(Drop drop) {
        advance(drop.tsMicros());
        Syn best = closest(syns, syn -> fits(syn, drop), syn -> distance(syn, drop));
        if (best != null) {
            syns.remove(best);
            pair(best, drop);
        } else {
            drops.addLast(drop);
        }
    }

    private static <T> T closest(Deque<T> candidates, Predicate<T> fits,
                                 ToLongFunction<T> distance) {
        T best = null;
        for (T candidate : candidates) {
            if (fits.test(candidate) && (best == null || distance.applyAsLong(candidate) < distance.applyAsLong(best))) {
                best = candidate;
            }
        }
        return best;
    }

    private static boolean fits(Syn syn, Drop drop) {
        long after = drop.tsMicros() - syn.tsMicros();
        return after >= -EARLY_MICROS && after <= LATE_MICROS;
    }

    private static long distance(Syn syn, Drop drop) {
        return Math.abs(drop.tsMicros() - syn.tsMicros());
    }

    private void pair(Syn syn, Drop drop) {
        PacketEvent packet = syn.packet();
        paired.accept(KernelDrop.newBuilder().setHost(host).setIface(packet.getIface()).setTsMicros(drop.tsMicros())
                .setSynTsMicros(syn.tsMicros()).setIpVersion(packet.getIpVersion()).setSrc(packet.getSrc())
                .setDst(packet.getDst()).setSrcPort(packet.getSrcPort()).setDstPort(packet.getDstPort())
                .setReason(drop.reason()).setLocation(drop.location()).build());
    }

    private void advance(long tsMicros) {
        newestMicros = Math.max(newestMicros, tsMicros);
        long horizon = newestMicros - KEPT_MICROS;
        prune(syns.iterator(), horizon, Syn::tsMicros);
        prune(drops.iterator(), horizon, Drop::tsMicros);
    }

    private static <T> void prune(Iterator<T> items, long horizon, ToLongFunction<T> time) {
        while (items.hasNext()) {
            if (time.applyAsLong(items.next()) < horizon) {
                items.remove();
            }
        }
    }
}
