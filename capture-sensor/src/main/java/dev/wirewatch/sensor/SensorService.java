package dev.wirewatch.sensor;

import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.SensorStatus;
import dev.wirewatch.schemas.NatTable;
import dev.wirewatch.sensor.capture.LiveCapture;
import dev.wirewatch.sensor.decode.Decoded;
import dev.wirewatch.sensor.decode.FrameDecoder;
import dev.wirewatch.sensor.emit.EventMapper;
import dev.wirewatch.sensor.emit.EmissionMode;
import dev.wirewatch.sensor.emit.EmissionPolicy;
import dev.wirewatch.sensor.emit.Outbox;
import dev.wirewatch.sensor.emit.RecordPublisher;
import dev.wirewatch.sensor.emit.SensorEmitter;
import dev.wirewatch.sensor.kernel.DropCorrelator;
import dev.wirewatch.sensor.kernel.KernelDropReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.ProducerConfig;
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
                           int maxFlows, long queueBytes, Duration stopTimeout, NatTable nat, boolean dropReasons) {
        public static final long DEFAULT_QUEUE_BYTES = 64L << 20;

        public static Settings defaults(String host, List<String> interfaces, String filter) {
            return new Settings(host, interfaces, LiveCapture.Options.defaults(filter),
                    EmissionMode.CONTROL, EmissionPolicy.DEFAULT_MAX_FLOWS, DEFAULT_QUEUE_BYTES, Duration.ofSeconds(30),
                    NatTable.NONE, false);
        }
    }

    private final Settings settings;
    private final RecordPublisher publisher;
    private final Outbox outbox;
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
    private long droppedAtLastTick;
    private DropCorrelator dropCorrelator;
    private KernelDropReader kernelDrops;
    private volatile MeterRegistry metrics;
    private boolean closed;
    private final CaptureDropWatch captureDrops = new CaptureDropWatch(() -> pcapDropped() + ifDropped(), System::nanoTime);

    public SensorService(Settings settings, Map<String, Object> clientConfig) {
        this.settings = settings;
        this.publisher = new RecordPublisher(liveProducerSettings(clientConfig), settings.nat());
        this.outbox = new Outbox(publisher, settings.queueBytes());
        this.emitter = new SensorEmitter(settings.host(), settings.mode(), settings.maxFlows(), outbox);
    }

    /**
     * A live sensor outlasts broker outages: the producer keeps what it accepted until Kafka is back (a long
     * delivery timeout) and gives up a send after a second (so the outbox notices, and keeps capturing).
     */
    private static Map<String, Object> liveProducerSettings(Map<String, Object> clientConfig) {
        Map<String, Object> settings = new HashMap<>(clientConfig);
        settings.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Duration.ofDays(7).toMillis());
        settings.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000);
        settings.putIfAbsent(ProducerConfig.BUFFER_MEMORY_CONFIG, 16L << 20);
        return settings;
    }

    /** Opens every interface first: one that cannot be captured ends the sensor at once, with nothing to flush. */
    public void start() {
        try {
            for (String iface : settings.interfaces()) {
                captures.addAll(LiveCapture.open(iface, settings.capture()));
            }
        } catch (RuntimeException | Error e) {
            captures.forEach(LiveCapture::close);
            captures.clear();
            clock.shutdownNow();
            outbox.close(Duration.ZERO);
            closed = true;
            throw e;
        }
        if (settings.dropReasons()) {
            dropCorrelator = new DropCorrelator(settings.host(), emitter::emit);
            kernelDrops = KernelDropReader.start(dropCorrelator);
        }
        for (LiveCapture capture : captures) {
            Thread thread = new Thread(() -> capture(capture), "wirewatch-capture-" + capture.iface() + "-" + threads.size());
            thread.start();
            threads.add(thread);
        }
        clock.scheduleAtFixedRate(this::tick, 0, 1, TimeUnit.SECONDS);
        clock.scheduleAtFixedRate(this::report, 0, 10, TimeUnit.SECONDS);
        LOG.info("sensor {} capturing {} (engine {}, {} thread(s), snaplen {}, filter '{}', mode {})", settings.host(),
                settings.interfaces(), captures.stream().map(LiveCapture::engine).distinct().toList(), captures.size(),
                settings.capture().snaplen(), settings.capture().filter(), settings.mode());
    }

    /**
     * Once a second: the Tick (after the summaries it closes). If the outbox dropped records since the last one,
     * a flow's full packets may be among them; the flow table starts over so that the processor gets every
     * flow's next packet in full rather than summaries for a connection it never saw.
     */
    private void tick() {
        long dropped = outbox.dropped();
        if (dropped != droppedAtLastTick) {
            droppedAtLastTick = dropped;
            emitter.forgetFlows();
        }
        emitter.tick(nowMicros(), false);
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
            EventMapper.toRecord(settings.host(), frame, result).ifPresent(record -> {
                emitter.emit(record);
                if (dropCorrelator != null && record instanceof PacketEvent packet) {
                    dropCorrelator.packet(packet);
                }
            });
        });
    }

    /** Every ten seconds: the status to ww.sensors, and a meter for each kernel drop reason seen since. */
    private void report() {
        outbox.status(status());
        MeterRegistry registry = metrics;
        if (registry != null && kernelDrops != null) {
            SensorMetrics.bindKernelDrops(this, registry);
        }
    }

    public SensorStatus status() {
        Optional<String> degraded = degradedReason();
        return SensorStatus.newBuilder().setSensorId(settings.host()).setHost(settings.host()).setVersion(VERSION)
                .setTsMicros(nowMicros()).setInterfaces(HostInventory.interfaces()).setCaptured(settings.interfaces())
                .setPacketsCaptured(captured()).setPacketsDecoded(decoded()).setPacketsMalformed(malformed())
                .setRecordsEmitted(emitted()).setPcapDropped(pcapDropped()).setIfDropped(ifDropped())
                .setQueueDropped(queueDropped()).setKernelDrops(kernelDropsByReason()).setKafkaUnacknowledgedMs(outbox.unreachableFor().toMillis())
                .setDegraded(degraded.isPresent()).setReason(degraded.orElse(null))
                .build();
    }

    /** Its counters as meters on {@code registry} (served on /metrics), producer metrics included. */
    public void bindMetrics(MeterRegistry registry) {
        metrics = registry;
        SensorMetrics.bind(this, registry);
        publisher.bindMetrics(registry);
    }

    /** Why the sensor is degraded, if it is: the outbox's reasons (Kafka, its queue) and capture drops. */
    public Optional<String> degradedReason() {
        Optional<String> sending = outbox.degraded();
        Optional<String> capturing = captureDrops.degraded();
        if (sending.isPresent() && capturing.isPresent()) {
            return Optional.of(sending.get() + "; " + capturing.get());
        }
        return sending.isPresent() ? sending : capturing;
    }

    /** The kernel's drops by reason since the start; empty without {@code --drop-reasons}. */
    public Map<String, Long> kernelDropsByReason() {
        return kernelDrops == null ? Map.of() : kernelDrops.countsByReason();
    }

    public long captured() {
        return captures.stream().mapToLong(LiveCapture::captured).sum();
    }

    public long decoded() {
        return decoded.get();
    }

    public long malformed() {
        return malformed.get();
    }

    public long emitted() {
        return publisher.emitted();
    }

    public long pcapDropped() {
        return captures.stream().mapToLong(capture -> capture.drops().kernel()).sum();
    }

    public long ifDropped() {
        return captures.stream().mapToLong(capture -> capture.drops().iface()).sum();
    }

    public long queueDropped() {
        return outbox.dropped();
    }

    long queuedRecords() {
        return outbox.queuedRecords();
    }

    long queuedBytes() {
        return outbox.queuedBytes();
    }

    long inFlight() {
        return publisher.inFlight();
    }

    double secondsSinceLastAck() {
        return publisher.sinceLastAck().toMillis() / 1000.0;
    }

    long evictedFlows() {
        return emitter.evictedFlows();
    }

    int activeFlows() {
        return emitter.activeFlows();
    }

    private static long nowMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        captures.forEach(LiveCapture::stop);
        for (Thread thread : threads) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        clock.shutdownNow();
        if (kernelDrops != null) {
            kernelDrops.close();
        }
        emitter.tick(nowMicros(), false); // the last summaries
        outbox.status(status());
        outbox.close(settings.stopTimeout());
        captures.forEach(LiveCapture::close);
        LOG.info("sensor {} stopped: {} packets captured, {} records emitted for {} packets", settings.host(),
                status().getPacketsCaptured(), publisher.emitted(), emitter.packets());
    }
}
