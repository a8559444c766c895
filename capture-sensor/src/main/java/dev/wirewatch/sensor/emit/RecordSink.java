package dev.wirewatch.sensor.emit;

import dev.wirewatch.record.Tick;
import org.apache.avro.specific.SpecificRecord;

/** Where a sensor's records go: Kafka ({@link RecordPublisher}) or, in tests, a topology test driver. */
public interface RecordSink {
    /** A PacketEvent, FlowActivity, ArpEvent or VrrpAdvertisement. */
    void publish(SpecificRecord record);

    /** Tells every partition that {@code host}'s capture reached {@code tsMicros} (and, at the end, that it ended). */
    void tick(String host, long tsMicros, boolean endOfInput);

    /** A live sensor's tick, which may name interfaces it did not capture or announce its planned stop. */
    default void tick(Tick tick) {
        tick(tick.getHost(), tick.getTsMicros(), tick.getEndOfInput());
    }
}
