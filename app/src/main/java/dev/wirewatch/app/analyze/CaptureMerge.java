package dev.wirewatch.app.analyze;

import dev.wirewatch.record.ArpEvent;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.sensor.FileEventSource;
import dev.wirewatch.sensor.emit.RecordPublisher;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.LongConsumer;
import org.apache.avro.specific.SpecificRecord;

/**
 * Replays several capture files as their hosts' sensors would have sent them live: merged by capture time
 * (a k-way merge, never file after file, or one host's records would push stream time past the other's),
 * with each host's Ticks once a second of capture time while its file lasts, and a closing Tick per host at
 * the end so that every pending timer fires.
 */
public final class CaptureMerge {
    private static final long TICK_INTERVAL_MICROS = 1_000_000;

    private record Head(Source source, SpecificRecord record, long tsMicros) {}

    private static final class Source {
        final String host;
        final FileEventSource events;
        long lastTickMicros = Long.MIN_VALUE;
        long lastMicros = Long.MIN_VALUE;
        boolean exhausted;

        Source(String host, FileEventSource events) {
            this.host = host;
            this.events = events;
        }
    }

    private CaptureMerge() {}

    /** Publishes every record of every source; returns the number of records read. */
    public static long replay(List<NamedSource> inputs, RecordPublisher publisher, LongConsumer progress) {
        PriorityQueue<Head> heads = new PriorityQueue<>((a, b) -> Long.compare(a.tsMicros(), b.tsMicros()));
        List<Source> sources = new ArrayList<>();
        for (NamedSource input : inputs) {
            Source source = new Source(input.host(), input.events());
            sources.add(source);
            advance(source, heads, publisher);
        }
        long count = 0;
        while (!heads.isEmpty()) {
            Head head = heads.poll();
            Source source = head.source();
            long ts = head.tsMicros();
            // Every live source ticks when merged time crosses a second, so quiet hosts stay alive in stream time.
            for (Source other : sources) {
                boolean started = other.lastMicros != Long.MIN_VALUE;
                if (started && !other.exhausted && ts - other.lastTickMicros >= TICK_INTERVAL_MICROS) {
                    publisher.tick(other.host, ts, false);
                    other.lastTickMicros = ts;
                }
            }
            publisher.publish(head.record());
            source.lastMicros = Math.max(source.lastMicros, ts);
            if (source.lastTickMicros == Long.MIN_VALUE) {
                publisher.tick(source.host, ts, false);
                source.lastTickMicros = ts;
            }
            count++;
            if ((count & 0xffff) == 0) {
                progress.accept(count);
            }
            advance(source, heads, publisher);
        }
        for (Source source : sources) {
            long end = source.lastMicros == Long.MIN_VALUE ? 0 : source.lastMicros;
            publisher.tick(source.host, end, true);
        }
        publisher.flush();
        return count;
    }

    private static void advance(Source source, PriorityQueue<Head> heads, RecordPublisher publisher) {
        SpecificRecord next = source.events.next();
        if (next == null) {
            source.exhausted = true;
            if (source.lastMicros != Long.MIN_VALUE) {
                publisher.tick(source.host, source.lastMicros, false);
            }
            return;
        }
        heads.add(new Head(source, next, timestamp(next)));
    }

    private static long timestamp(SpecificRecord record) {
        if (record instanceof PacketEvent packet) {
            return packet.getTsMicros();
        }
        return ((ArpEvent) record).getTsMicros();
    }

    /** One input: a host and its events. */
    public record NamedSource(String host, FileEventSource events) {}
}
