package dev.wirewatch.sensor;

import dev.wirewatch.record.PacketEvent;
import dev.wirewatch.record.SensorStatus;
import dev.wirewatch.schemas.NatTable;
import dev.wirewatch.sensor.capture.CapturedFrame;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
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
    private final List<InterfaceCapture> captures = new ArrayList<>();
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
    private volatile boolean closed;
    private long undelivered;
    /** Why the last run of a clock task (tick, status) failed; null once one succeeds. */
    private volatile String clockFailure;
    private boolean clockFailureLogged;
    private final CompletableFuture<String> fatal = new CompletableFuture<>();
    private final CaptureDropWatch captureDrops = new CaptureDropWatch(() -> pcapDropped() + ifDropped(), System::nanoTime);

    public SensorService(Settings settings, Map<String, Object> clientConfig) {
        this.settings = settings;
        this.publisher = new RecordPublisher(liveProducerSettings(clientConfig), settings.nat(), "", settings.host());
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

    /**
     * Opens every interface first: one that cannot be captured ends the sensor at once, with nothing to flush.
     * From then on each interface's capture is kept alive ({@link InterfaceCapture}) and the clock's tasks survive
     * their own failures; only Kafka refusing the sensor ends it ({@link #fatal()}).
     */
    public void start() {
        outbox.stoppedForGood().thenAccept(fatal::complete);
        try {
            for (String iface : settings.interfaces()) {
                captures.add(InterfaceCapture.open(iface, settings.capture(), this::frameConsumer));
            }
        } catch (RuntimeException | Error e) {
            captures.forEach(InterfaceCapture::close);
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
        captures.forEach(InterfaceCapture::start);
        clock.scheduleAtFixedRate(() -> supervised("tick", this::tick), 0, 1, TimeUnit.SECONDS);
        clock.scheduleAtFixedRate(() -> supervised("status", this::report), 0, 10, TimeUnit.SECONDS);
        LOG.info("sensor {} capturing {} (engine {}, {} thread(s), snaplen {}, filter '{}', mode {})", settings.host(),
                settings.interfaces(), captures.stream().flatMap(capture -> capture.engines().stream()).distinct().toList(),
                captures.stream().mapToInt(InterfaceCapture::threads).sum(), settings.capture().snaplen(),
                settings.capture().filter(), settings.mode());
    }

    /**
     * Completes with a one-line reason when the sensor cannot do its work any more and must stop with an error:
     * Kafka refused its client (login, ACLs). Everything else is retried while the sensor reports itself degraded.
     */
    public CompletableFuture<String> fatal() {
        return fatal;
    }

    /**
     * Runs a clock task so that a failure does not end it (a scheduled task that throws is never run again): the
     * sensor is degraded with the reason until a run succeeds, logged once per episode.
     */
    private void supervised(String task, Runnable run) {
        try {
            run.run();
            if (clockFailure != null && clockFailure.startsWith("its " + task + " ")) {
                LOG.info("the sensor's {} runs again", task);
                clockFailure = null;
                clockFailureLogged = false;
            }
        } catch (RuntimeException | Error e) {
            clockFailure = "its " + task + " failed: " + e;
            if (!clockFailureLogged) {
                clockFailureLogged = true;
                LOG.error("the sensor's {} failed; retried each time it is due, the sensor is degraded meanwhile", task, e);
            }
        }
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
        emitter.tick(nowMicros(), blind(), false);
    }

    /** The interfaces not captured at some moment since the last tick (each call starts a new span). */
    private List<String> blind() {
        return captures.stream().filter(InterfaceCapture::blindSinceLastTick).map(InterfaceCapture::iface).toList();
    }

    /** What one capture thread does with its frames: its own decoder, the shared emitter. */
    private Consumer<CapturedFrame> frameConsumer() {
        FrameDecoder decoder = new FrameDecoder();
        return frame -> {
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
        };
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
                .setNotCapturing(notCapturing()).setStopped(closed)
                .setDegraded(degraded.isPresent()).setReason(degraded.orElse(null))
                .build();
    }

    /** Its counters as meters on {@code registry} (served on /metrics), producer metrics included. */
    public void bindMetrics(MeterRegistry registry) {
        metrics = registry;
        SensorMetrics.bind(this, registry);
        publisher.bindMetrics(registry);
    }

    /**
     * Why the sensor is degraded, if it is: the outbox's reasons (Kafka, its queue), interfaces whose capture is
     * down, capture drops, a failing clock task, kernel drop reasons no longer read.
     */
    public Optional<String> degradedReason() {
        List<String> reasons = new ArrayList<>();
        outbox.degraded().ifPresent(reasons::add);
        captures.forEach(capture -> capture.down().ifPresent(reasons::add));
        captureDrops.degraded().ifPresent(reasons::add);
        Optional.ofNullable(clockFailure).ifPresent(reasons::add);
        if (kernelDrops != null) {
            kernelDrops.failure().ifPresent(reasons::add);
        }
        return reasons.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", reasons));
    }

    /** Interfaces whose capture is down now (being reopened). */
    public List<String> notCapturing() {
        return captures.stream().filter(capture -> capture.down().isPresent()).map(InterfaceCapture::iface).toList();
    }

    /** The kernel's drops by reason since the start; empty without {@code --drop-reasons}. */
    public Map<String, Long> kernelDropsByReason() {
        return kernelDrops == null ? Map.of() : kernelDrops.countsByReason();
    }

    public long captured() {
        return captures.stream().mapToLong(InterfaceCapture::captured).sum();
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

    /** Stops as planned: the last summaries, a tick and a status that say so (no SILENT alert for it), a flush. */
    @Override
    public void close() {
        close(settings.stopTimeout());
    }

    /**
     * The same, waiting at most {@code timeout} for Kafka.
     *
     * @return the records never delivered since the start (see {@link Outbox#close(Duration)})
     */
    public synchronized long close(Duration timeout) {
        if (closed) {
            return undelivered;
        }
        closed = true;
        captures.forEach(InterfaceCapture::stop);
        clock.shutdownNow();
        try {
            clock.awaitTermination(5, TimeUnit.SECONDS); // no tick of its own after the last one
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (kernelDrops != null) {
            kernelDrops.close();
        }
        emitter.tick(nowMicros(), blind(), true); // the last summaries, and the announcement
        outbox.status(status());
        undelivered = outbox.close(timeout);
        captures.forEach(InterfaceCapture::close);
        LOG.info("sensor {} stopped: {} packets captured, {} records emitted for {} packets", settings.host(),
                status().getPacketsCaptured(), publisher.emitted(), emitter.packets());
        return undelivered;
    }
}
