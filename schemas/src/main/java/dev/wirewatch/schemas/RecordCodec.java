package dev.wirewatch.schemas;

import dev.wirewatch.record.Alert;
import dev.wirewatch.record.ArpEvent;
import dev.wirewatch.record.DeadLetter;
import dev.wirewatch.record.FlowActivity;
import dev.wirewatch.record.FlowBatch;
import dev.wirewatch.record.FlowFinding;
import dev.wirewatch.record.FlowRecord;
import dev.wirewatch.record.HostInfo;
import dev.wirewatch.record.KernelDrop;
import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.SensorStatus;
import dev.wirewatch.record.Tick;
import dev.wirewatch.record.UndeliveredAlert;
import dev.wirewatch.record.VrrpAdvertisement;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro single-object encoding (header 0xC3 0x01, 8-byte schema fingerprint, body) for every wirewatch record.
 * The fingerprint names the writer's schema, so one topic can carry several record types (ww.packets holds
 * PacketEvent and Tick) and a reader with a newer schema resolves data written with an older one, as long as
 * that older schema is known ({@link #addWriterSchema}).
 */
public final class RecordCodec {
    private static final byte[] HEADER = {(byte) 0xC3, (byte) 0x01};
    private static final int PREFIX_LENGTH = HEADER.length + Long.BYTES;

    /** The record types of this version of wirewatch, readers for data written by any known writer schema. */
    public static final List<Schema> CURRENT_SCHEMAS = List.of(
            PacketEvent.getClassSchema(), Tick.getClassSchema(), FlowActivity.getClassSchema(), ArpEvent.getClassSchema(),
            SensorStatus.getClassSchema(), HostInfo.getClassSchema(), FlowRecord.getClassSchema(),
            Alert.getClassSchema(), DeadLetter.getClassSchema(), KernelDrop.getClassSchema(),
            UndeliveredAlert.getClassSchema(), FlowBatch.getClassSchema(), FlowFinding.getClassSchema(),
            VrrpAdvertisement.getClassSchema());

    /**
     * Schemas earlier versions wrote that this one still reads (resources under previous/): alerts on ww.alerts and
     * in the processor's stores and internal topics (FlowFinding), and undelivered alerts, from before
     * {@code explainedBy} (-1), before {@code revision} (-2, FlowFinding-1) and before {@code protocol} and the VRRP
     * fields (-3, FlowFinding-2); ARP events on ww.l2 from before neighbour discovery (ArpEvent-1).
     */
    public static final List<Schema> PREVIOUS_SCHEMAS = List.of(previous("Alert-1"), previous("UndeliveredAlert-1"),
            previous("Alert-2"), previous("UndeliveredAlert-2"), previous("FlowFinding-1"), previous("Alert-3"),
            previous("UndeliveredAlert-3"), previous("FlowFinding-2"), previous("ArpEvent-1"));

    static {
        trustGeneratedClasses();
    }

    private static final RecordCodec SHARED = new RecordCodec(CURRENT_SCHEMAS);

    static {
        PREVIOUS_SCHEMAS.forEach(SHARED::addWriterSchema);
    }

    /**
     * Avro 1.12 refuses to instantiate classes outside a trusted list; our generated records must be on it.
     * Entry points call this before touching any record class (the JVM property
     * {@code org.apache.avro.SERIALIZABLE_PACKAGES=dev.wirewatch.record} does the same from the command line).
     */
    public static void trustGeneratedClasses() {
        ClassSecurityValidator.ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(current,
                type -> type.getName().startsWith(RECORD_PACKAGE)));
    }

    private static final String RECORD_PACKAGE = "dev.wirewatch.record.";

    private final Map<String, Schema> readerByFullName = new ConcurrentHashMap<>();
    private final Map<Long, SpecificDatumReader<SpecificRecord>> readerByFingerprint = new ConcurrentHashMap<>();
    private final Map<String, BinaryMessageEncoder<SpecificRecord>> encoderByFullName = new ConcurrentHashMap<>();

    public RecordCodec(List<Schema> readerSchemas) {
        for (Schema schema : readerSchemas) {
            readerByFullName.put(schema.getFullName(), schema);
            addWriterSchema(schema);
        }
    }

    private static Schema previous(String name) {
        try (java.io.InputStream in = RecordCodec.class.getResourceAsStream("previous/" + name + ".avsc")) {
            return new Schema.Parser().parse(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("schema previous/" + name + ".avsc missing from the jar", e);
        }
    }

    /** The codec for the records of this version (and of the versions before, {@link #PREVIOUS_SCHEMAS}); thread-safe. */
    public static RecordCodec shared() {
        return SHARED;
    }

    /** Makes data written with {@code writerSchema} (e.g. an older version of a record) readable. */
    public void addWriterSchema(Schema writerSchema) {
        Schema reader = readerByFullName.get(writerSchema.getFullName());
        if (reader == null) {
            throw new IllegalArgumentException("no reader for record type " + writerSchema.getFullName());
        }
        long fingerprint = SchemaNormalization.parsingFingerprint64(writerSchema);
        readerByFingerprint.put(fingerprint, new SpecificDatumReader<>(writerSchema, reader, SpecificData.get()));
    }

    public byte[] encode(SpecificRecord record) {
        Schema schema = record.getSchema();
        BinaryMessageEncoder<SpecificRecord> encoder = encoderByFullName.computeIfAbsent(
                schema.getFullName(), name -> new BinaryMessageEncoder<>(SpecificData.get(), schema));
        try {
            ByteBuffer buffer = encoder.encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException | AvroRuntimeException e) {
            throw new IllegalArgumentException("cannot encode " + schema.getName() + ": " + e.getMessage(), e);
        }
    }

    /** Decodes any known record; throws {@link RecordDecodeException} with a reason for anything else. */
    public SpecificRecord decode(byte[] bytes) {
        if (bytes == null) {
            throw new RecordDecodeException("null record value");
        }
        if (bytes.length < PREFIX_LENGTH || bytes[0] != HEADER[0] || bytes[1] != HEADER[1]) {
            throw new RecordDecodeException("not an Avro single-object record (" + bytes.length
                    + " bytes, starts with " + hexPrefix(bytes) + ")");
        }
        long fingerprint = ByteBuffer.wrap(bytes, HEADER.length, Long.BYTES)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        SpecificDatumReader<SpecificRecord> reader = readerByFingerprint.get(fingerprint);
        if (reader == null) {
            throw new RecordDecodeException("unknown schema fingerprint " + Long.toHexString(fingerprint)
                    + " (written by a newer or foreign producer?)");
        }
        SpecificRecord record;
        BinaryDecoder body = DecoderFactory.get().binaryDecoder(bytes, PREFIX_LENGTH, bytes.length - PREFIX_LENGTH, null);
        try {
            record = reader.read(null, body);
            if (!body.isEnd()) {
                // Avro reads what the schema asks for and stops: bytes left over mean the body is not this record,
                // however plausible the fields read so far (random bytes can decode as a Tick with a 700 KB host name)
                throw new RecordDecodeException("corrupt record body (" + bytes.length + " bytes): bytes left after a "
                        + record.getSchema().getName());
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof RecordDecodeException decodeError) {
                throw decodeError;
            }
            throw new RecordDecodeException("corrupt record body (" + bytes.length + " bytes): " + e.getMessage(), e);
        }
        return record;
    }

    /** Decodes and checks the type, for topics that carry one record type. */
    public <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type) {
        SpecificRecord record = decode(bytes);
        if (!type.isInstance(record)) {
            throw new RecordDecodeException("expected " + type.getSimpleName() + " but found "
                    + record.getSchema().getName());
        }
        return type.cast(record);
    }

    private static String hexPrefix(byte[] bytes) {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(4, bytes.length); i++) {
            hex.append(String.format("%02x", bytes[i] & 0xff));
        }
        return hex.length() == 0 ? "nothing" : "0x" + hex;
    }
}
