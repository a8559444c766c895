package dev.wirewatch.sensor;

import dev.wirewatch.record.SensorStatus;
import dev.wirewatch.sensor.capture.LiveCapture;
import dev.wirewatch.sensor.decode.Decoded;
import dev.wirewatch.sensor.decode.FrameDecoder;
import dev.wirewatch.sensor.emit.EventMapper;
import dev.wirewatch.sensor.emit.EmissionMode;
import dev.wirewatch.sensor.emit.EmissionPolicy;
import dev.wirewatch.sensor.emit.RecordPublisher;
import dev.wirewatch.sensor.emit.SensorEmitter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One host's live sensor: captures its interfaces (a thread and a libpcap handle each), decodes headers, ships
 * them to Kafka, sends a Tick to every partition of ww.packets each second and its inventory and counters to
 * ww.sensors every ten seconds. Closing it stops capture, sends a last status and flushes what was accepted.
 */
public final class SensorService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SensorService.class);
    public static final String VERSION = "0.1.0";

    /** The sensor's settings, with their defaults in {@link #defaults}. */
    public record Settings(String host, List<String> interfaces, LiveCapture.Options capture, EmissionMode mode,
                           int maxFlows) {
        public static Settings defaults(String host, List<String> interfaces, String filter) {
            return new Settings(host, interfaces, new LiveCapture.Options(128, false, 8 * 1024 * 1024, filter),
                    EmissionMode.CONTROL, EmissionPolicy.DEFAULT_MAX_FLOWS);
        }
    }

    private final Settings settings;
    private final RecordPublisher publisher;
    private final SensorEmitter emitter;
    private final List<LiveCapture> captures = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "wirewatch-sensor-clock");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicLong decoded = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();

    public SensorService(Settings settings, Map<String, Object> clientConfig) {
        this.settings = settings;
        this.publisher = new RecordPublisher(clientConfig);
        this.emitter = new SensorEmitter(settings.host(), settings.mode(), settings.maxFlows(), publisher);
    }

    public void start() {
        for (String iface : settings.interfaces()) {
            captures.add(LiveCapture.open(iface, settings.capture()));
        }
        for (LiveCapture capture : captures) {
            Thread thread = new Thread(() -> capture(capture), "wirewatch-capture-" + capture.iface());
            thread.start();
            threads.add(thread);
        }
        clock.scheduleAtFixedRate(() -> emitter.tick(nowMicros(), false), 0, 1, TimeUnit.SECONDS);
        clock.scheduleAtFixedRate(() -> publisher.status(status()), 0, 10, TimeUnit.SECONDS);
        LOG.info("sensor {} capturing {} (snaplen {}, filter '{}', mode {})", settings.host(), settings.interfaces(),
                settings.capture().snaplen(), settings.capture().filter(), settings.mode());
    }

    private void capture(LiveCapture capture) {
        FrameDecoder decoder = new FrameDecoder();
        capture.run(frame -> {
            Decoded result = decoder.decode(frame);
            if (result instanceof Decoded.Malformed) {
                malformed.incrementAndGet();
            } else {
                decoded.incrementAndGet();
            }
            EventMapper.toRecord(settings.host(), frame, result).ifPresent(emitter::emit);
        });
    }

    public SensorStatus status() {
        long captured = 0;
        long pcapDropped = 0;
        long ifDropped = 0;
        for (LiveCapture capture : captures) {
            captured += capture.captured();
            long[] drops = capture.drops();
            pcapDropped += drops[0];
            ifDropped += drops[1];
        }
        return SensorStatus.newBuilder().setSensorId(settings.host()).setHost(settings.host()).setVersion(VERSION)
                .setTsMicros(nowMicros()).setInterfaces(HostInventory.interfaces()).setCaptured(settings.interfaces())
                .setPacketsCaptured(captured).setPacketsDecoded(decoded.get()).setPacketsMalformed(malformed.get())
                .setRecordsEmitted(publisher.emitted()).setPcapDropped(pcapDropped).setIfDropped(ifDropped)
                .setQueueDropped(0).setDegraded(false).setReason(null).build();
    }

    private static long nowMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }

    @Override
    public void close() {
        captures.forEach(LiveCapture::stop);
        for (Thread thread : threads) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        clock.shutdownNow();
        emitter.tick(nowMicros(), false); // the last summaries
        publisher.status(status());
        publisher.flush();
        publisher.close();
        captures.forEach(LiveCapture::close);
        LOG.info("sensor {} stopped: {} packets captured, {} records emitted for {} packets", settings.host(),
                status().getPacketsCaptured(), publisher.emitted(), emitter.packets());
    }
}
