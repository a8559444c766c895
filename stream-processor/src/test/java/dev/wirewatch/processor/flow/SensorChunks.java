package dev.wirewatch.processor.flow;

import dev.wirewatch.sensor.CaptureMerge;
import dev.wirewatch.sensor.FileEventSource;
import dev.wirewatch.sensor.emit.EmissionMode;
import dev.wirewatch.sensor.emit.RecordSink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * What each sensor sends, cut at its ticks: a second's records, then its tick. Two sensors are two producers, so a
 * test can deliver their chunks in any order a real broker could (one sensor's records arriving late).
 */
final class SensorChunks {
    /** One sensor's records up to and including one of its ticks. */
    record Chunk(String host, long tickMicros, List<SpecificRecord> records, boolean endOfInput) {
        void sendTo(RecordSink sink) {
            records.forEach(sink::publish);
            sink.tick(host, tickMicros, endOfInput);
        }
    }

    private SensorChunks() {
    }

    /** The chunks a sensor named {@code host} sends replaying {@code capture} (interface eth0) on its own. */
    static List<Chunk> of(Path capture, String host) throws Exception {
        List<Chunk> chunks = new ArrayList<>();
        CaptureMerge.NamedSource source = new CaptureMerge.NamedSource(host, new FileEventSource(capture, host, "eth0"));
        try {
            CaptureMerge.replay(List.of(source), new Collector(host, chunks), EmissionMode.CONTROL, count -> { });
        } finally {
            source.events().close();
        }
        return chunks;
    }

    private static final class Collector implements RecordSink {
        private final String host;
        private final List<Chunk> chunks;
        private List<SpecificRecord> pending = new ArrayList<>();

        Collector(String host, List<Chunk> chunks) {
            this.host = host;
            this.chunks = chunks;
        }

        @Override
        public void publish(SpecificRecord record) {
            pending.add(record);
        }

        @Override
        public void tick(String tickHost, long tsMicros, boolean endOfInput) {
            chunks.add(new Chunk(host, tsMicros, pending, endOfInput));
            pending = new ArrayList<>();
        }
    }
}
