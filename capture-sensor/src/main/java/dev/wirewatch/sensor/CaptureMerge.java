package dev.wirewatch.sensor;

import dev.wirewatch.record.ArpEvent;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.VrrpAdvertisement;
import dev.wirewatch.sensor.emit.EmissionMode;
import dev.wirewatch.sensor.emit.EmissionPolicy;
import dev.wirewatch.sensor.emit.RecordSink;
import dev.wirewatch.sensor.emit.SensorEmitter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.apache.avro.specific.SpecificRecord;

/**
 * Replays several capture files as their hosts' sensors would have sent them live: merged by capture time
 * (a k-way merge, never file after file, or one host's records would push stream time past the other's),
 * through each host's emission policy, with each host's Ticks once a second of capture time while its files
 * last, its end-of-input Tick when they are done, and a closing Tick per host at the end so that every pending timer
 * fires.
 */
public final class CaptureMerge {
    private static final long TICK_INTERVAL_MICROS = 1_000_000;

    private record Head(Source source, SpecificRecord record, long tsMicros) {}

    private static final class Source {
        final FileEventSource events;
        final Host host;
        boolean exhausted;

        Source(FileEventSource events, Host host) {
            this.events = events;
            this.host = host;
        }
    }

    /** A host's sensor: one emitter for all of its files, so its Ticks follow all of its summaries. */
    private static final class Host {
        final SensorEmitter emitter;
        int liveSources;
        long lastTickMicros = Long.MIN_VALUE;
        long lastMicros = Long.MIN_VALUE;

        Host(SensorEmitter emitter) {
            this.emitter = emitter;
        }

        boolean started() {
            return lastMicros != Long.MIN_VALUE;
        }

        void tick(long tsMicros, boolean endOfInput) {
            emitter.tick(tsMicros, endOfInput);
            lastTickMicros = tsMicros;
        }
    }

    /** One input: a host and its events. */
    public record NamedSource(String host, FileEventSource events) {}

    /** What a replay read and sent. */
    public record Totals(long records, long packets, long packetRecords) {}

    /**
     * Where a paced replay anchors capture time on the wall clock: the packet captured at {@code firstCaptureMicros}
     * is due at {@code wallStartMicros} (epoch microseconds), every later one as much later as it was captured.
     */
    public record PaceStart(long firstCaptureMicros, long wallStartMicros) {
        /** The wall time a packet captured at {@code captureMicros} is due to be sent. */
        public long wallMicros(long captureMicros) {
            return wallStartMicros + (captureMicros - firstCaptureMicros);
        }
    }

    private CaptureMerge() {}

    /** Sends every record of every source to {@code sink}, as fast as it can. */
    public static Totals replay(List<NamedSource> inputs, RecordSink sink, EmissionMode mode, LongConsumer progress) {
        return replay(inputs, sink, mode, false, progress);
    }

    /**
     * Sends every record of every source to {@code sink}; with {@code realtime}, at the pace it was captured (the
     * gap between two packets is waited out on the wall clock), as a live sensor would have sent it.
     */
    public static Totals replay(List<NamedSource> inputs, RecordSink sink, EmissionMode mode, boolean realtime,
                                LongConsumer progress) {
        return replay(inputs, sink, mode, realtime, progress, null, pace -> { });
    }

    /**
     * As {@link #replay(List, RecordSink, EmissionMode, boolean, LongConsumer)}; with {@code realtime}, the first
     * packet is due at {@code startAt} (now if null: several sensors given one start replay in step, as live sensors
     * capture the same moment), and {@code paced} is told once, at the first packet, how capture time maps to the
     * wall clock (so that latencies measured downstream can start when a live sensor would have seen a packet).
     */
    public static Totals replay(List<NamedSource> inputs, RecordSink sink, EmissionMode mode, boolean realtime,
                                LongConsumer progress, Instant startAt, Consumer<PaceStart> paced) {
        Map<String, Host> hosts = new LinkedHashMap<>();
        List<Source> sources = new ArrayList<>();
        for (NamedSource input : inputs) {
            Host host = hosts.computeIfAbsent(input.host(),
                    name -> new Host(new SensorEmitter(name, mode, EmissionPolicy.DEFAULT_MAX_FLOWS, sink)));
            host.liveSources++;
            sources.add(new Source(input.events(), host));
        }
        PriorityQueue<Head> heads = new PriorityQueue<>((a, b) -> Long.compare(a.tsMicros(), b.tsMicros()));
        sources.forEach(source -> advance(source, heads));
        long count = 0;
        long firstMicros = Long.MIN_VALUE;
        Instant now = Instant.now();
        long startNanos = System.nanoTime();
        Instant startWall = startAt == null ? now : startAt;
        startNanos += Duration.between(now, startWall).toNanos();
        while (!heads.isEmpty()) {
            Head head = heads.poll();
            Host host = head.source().host;
            long ts = head.tsMicros();
            if (realtime) {
                if (firstMicros == Long.MIN_VALUE) {
                    firstMicros = ts;
                    paced.accept(new PaceStart(ts, startWall.getEpochSecond() * 1_000_000 + startWall.getNano() / 1000));
                }
                waitUntil(startNanos + (ts - firstMicros) * 1000);
            }
            // Every live host ticks when merged time crosses a second, so quiet hosts stay alive in stream time. As
            // live sensors do each second, every host first sends what it holds: no host's Tick moves stream time
            // past packets another host still holds.
            if (anyTickDue(hosts.values(), ts)) {
                List<Host> due = hosts.values().stream().filter(other -> tickDue(other, ts)).toList();
                hosts.values().stream().filter(other -> other.started() && other.liveSources > 0)
                        .forEach(other -> other.emitter.flush(ts));
                due.forEach(other -> other.tick(ts, false));
            }
            host.emitter.emit(head.record());
            host.lastMicros = Math.max(host.lastMicros, ts);
            if (host.lastTickMicros == Long.MIN_VALUE) {
                host.tick(ts, false);
            }
            count++;
            if ((count & 0xffff) == 0) {
                progress.accept(count);
            }
            advance(head.source(), heads);
        }
        long packets = 0;
        long packetRecords = 0;
        for (Host host : hosts.values()) {
            host.emitter.tick(host.started() ? host.lastMicros : 0, true);
            packets += host.emitter.packets();
            packetRecords += host.emitter.packetRecords();
        }
        return new Totals(count, packets, packetRecords);
    }

    private static boolean anyTickDue(Iterable<Host> hosts, long nowMicros) {
        for (Host host : hosts) {
            if (tickDue(host, nowMicros)) {
                return true;
            }
        }
        return false;
    }

    private static boolean tickDue(Host host, long nowMicros) {
        return host.started() && host.liveSources > 0 && nowMicros - host.lastTickMicros >= TICK_INTERVAL_MICROS;
    }

    private static void waitUntil(long nanoTime) {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("replay interrupted", e);
            }
        }
    }

    private static void advance(Source source, PriorityQueue<Head> heads) {
        SpecificRecord next = source.events.next();
        if (next == null) {
            source.exhausted = true;
            Host host = source.host;
            if (--host.liveSources == 0 && host.started()) {
                // Its files are done: it says so now, or it would look like a sensor gone silent while others go on.
                host.tick(host.lastMicros, true);
            }
            return;
        }
        heads.add(new Head(source, next, timestamp(next)));
    }

    private static long timestamp(SpecificRecord record) {
        if (record instanceof PacketEvent packet) {
            return packet.getTsMicros();
        }
        if (record instanceof VrrpAdvertisement advertisement) {
            return advertisement.getTsMicros();
        }
        return ((ArpEvent) record).getTsMicros();
    }
}
