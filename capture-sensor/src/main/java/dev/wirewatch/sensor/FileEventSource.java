package dev.wirewatch.sensor;

import dev.wirewatch.sensor.capture.CaptureFile;
import dev.wirewatch.sensor.capture.CapturedFrame;
import dev.wirewatch.sensor.decode.Decoded;
import dev.wirewatch.sensor.decode.FrameDecoder;
import dev.wirewatch.sensor.emit.EventMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sensor reading a capture file instead of an interface: the records it would ship (PacketEvent, ArpEvent) in
 * file order. Frames that are not IP or ARP are skipped and counted; malformed ones too, logged once per file.
 */
public final class FileEventSource implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileEventSource.class);

    private final Path file;
    private final String host;
    private final String ifaceOverride;
    private final CaptureFile capture;
    private final FrameDecoder decoder = new FrameDecoder();
    private boolean malformedLogged;

    /** @param ifaceOverride the interface to report; null keeps the file's own (pcapng) name, if any */
    public FileEventSource(Path file, String host, String ifaceOverride) {
        this.file = file;
        this.host = host;
        this.ifaceOverride = ifaceOverride;
        this.capture = CaptureFile.open(file);
    }

    /** The next PacketEvent, ArpEvent or VrrpAdvertisement, or null at the end of the file. */
    public SpecificRecord next() {
        CapturedFrame frame;
        while ((frame = capture.next()) != null) {
            if (ifaceOverride != null) {
                frame = new CapturedFrame(frame.tsMicros(), frame.linkType(), ifaceOverride, frame.data(),
                        frame.originalLength());
            }
            Decoded decoded = decoder.decode(frame);
            if (decoded instanceof Decoded.Malformed malformed && !malformedLogged) {
                malformedLogged = true;
                LOG.warn("{}: frame {} is malformed ({}); such frames are counted and skipped", file,
                        capture.framesRead(), malformed.reason());
            }
            Optional<SpecificRecord> record = EventMapper.toRecord(host, frame, decoded);
            if (record.isPresent()) {
                return record.get();
            }
        }
        return null;
    }

    public static List<SpecificRecord> readAll(Path file, String host) {
        List<SpecificRecord> records = new ArrayList<>();
        try (FileEventSource source = new FileEventSource(file, host, null)) {
            SpecificRecord record;
            while ((record = source.next()) != null) {
                records.add(record);
            }
        }
        return records;
    }

    public long captured() {
        return capture.framesRead();
    }

    public long decoded() {
        return decoder.decoded();
    }

    public long ignored() {
        return decoder.ignored();
    }

    public long malformed() {
        return decoder.malformed();
    }

    @Override
    public void close() {
        capture.close();
    }
}
