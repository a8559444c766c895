package dev.wirewatch.schemas;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka serde over {@link RecordCodec}. Passed explicitly everywhere; never configured as a default serde. */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {
    private final Class<T> type;
    private final RecordCodec codec;

    private AvroSerde(Class<T> type, RecordCodec codec) {
        this.type = type;
        this.codec = codec;
    }

    /** A serde for one record type. */
    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
        return new AvroSerde<>(type, RecordCodec.shared());
    }

    /** A serde for topics that carry several record types (ww.packets: PacketEvent and Tick). */
    public static AvroSerde<SpecificRecord> anyRecord() {
        return new AvroSerde<>(SpecificRecord.class, RecordCodec.shared());
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, record) -> record == null ? null : codec.encode(record);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> bytes == null ? null : codec.decode(bytes, type);
    }
}
