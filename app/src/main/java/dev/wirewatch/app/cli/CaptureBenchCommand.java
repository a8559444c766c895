package dev.wirewatch.app.cli;

import dev.wirewatch.sensor.capture.CapturedFrame;
import dev.wirewatch.sensor.capture.LiveCapture;
import dev.wirewatch.sensor.decode.Decoded;
import dev.wirewatch.sensor.decode.FrameDecoder;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The capture engine's ceiling apart from Kafka: live frames through the sensor's decoder and nowhere else, with
 * the kernel's drops and the CPU they cost. deploy/bench/live.sh runs it beside tcpdump on the same traffic.
 */
@Command(name = "capture", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Captures one interface live and decodes every frame with the sensor's decoder, without Kafka; prints "
                + "each second and at the end: frames captured, decoded, malformed, kernel drops, packets/s, the process's "
                + "CPU seconds and CPU seconds per million packets. Decoded counts every frame that was not malformed (ARP, "
                + "ignored ethertypes included). Needs root or CAP_NET_RAW.",
                "", "  wirewatch bench capture --interface eth0 --engine ring --capture-threads 2 --seconds 10",
                "", "The last line (\"result ...\") is key=value for scripts (deploy/bench/live.sh)."})
final class CaptureBenchCommand implements Callable<Integer> {
    @Option(names = "--interface", required = true, paramLabel = "IF", description = "The interface to capture.")
    String iface;

    @Option(names = "--engine", defaultValue = "auto", paramLabel = "auto|ring|libpcap", converter = CaptureEngines.class,
            description = "What reads the kernel's packets, as in `sensor --engine` (default: ${DEFAULT-VALUE}).")
    LiveCapture.Engine engine;

    @Option(names = "--capture-threads", defaultValue = "1", paramLabel = "N",
            description = "Capture threads (ring: the kernel's fanout spreads flows over them; default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--seconds", defaultValue = "0", paramLabel = "S",
            description = "How long to capture; 0 until Ctrl-C or SIGTERM (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--snaplen", defaultValue = "128", description = "Bytes captured per packet (default: ${DEFAULT-VALUE}).")
    int snaplen;

    @Option(names = "--buffer-size", defaultValue = "67108864", paramLabel = "BYTES",
            description = "Kernel buffer for the interface, shared by the threads (default: ${DEFAULT-VALUE}, as the sensor's).")
    int bufferSize;

    @Option(names = "--filter", paramLabel = "BPF", description = "Capture filter (tcpdump syntax).")
    String filter;

    @Option(names = "--quiet", description = "Only the totals, not a line per second.")
    boolean quiet;

    /** One capture thread's decoder and what it counted, published with a release store so the reporter reads it. */
    private static final class Worker implements Consumer<CapturedFrame> {
        private static final int FRAMES = 0;
        private static final int MALFORMED = 1;
        private final FrameDecoder decoder = new FrameDecoder();
        private final AtomicLongArray counts = new AtomicLongArray(2);
        private long frames;
        private long malformed;
        private volatile long threadId;
        private volatile long cpuAtExit = -1;

        @Override
        public void accept(CapturedFrame frame) {
            if (decoder.decode(frame) instanceof Decoded.Malformed) {
                counts.lazySet(MALFORMED, ++malformed);
            }
            counts.lazySet(FRAMES, ++frames);
        }
    }

    /** A moment's totals over every thread. */
    private record Sample(long nanos, long frames, long malformed, long kernelDrops, long ifaceDrops, long cpuNanos,
                          long captureCpuNanos) {
        Sample minus(Sample start) {
            return new Sample(nanos - start.nanos, frames - start.frames, malformed - start.malformed,
                    kernelDrops - start.kernelDrops, ifaceDrops - start.ifaceDrops, cpuNanos - start.cpuNanos,
                    captureCpuNanos - start.captureCpuNanos);
        }
    }

    private final ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();
    private List<LiveCapture> captures;
    private final List<Worker> workers = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (threads < 1) {
            throw new UsageException("--capture-threads must be at least 1");
        }
        captures = LiveCapture.open(iface, new LiveCapture.Options(snaplen, false, bufferSize, filter, engine, threads));
        String engineName = captures.get(0).engine();
        CountDownLatch finished = new CountDownLatch(captures.size());
        List<Thread> running = new ArrayList<>();
        for (LiveCapture capture : captures) {
            Worker worker = new Worker();
            workers.add(worker);
            Thread thread = new Thread(() -> {
                worker.threadId = Thread.currentThread().getId();
                try {
                    capture.run(worker);
                } finally {
                    worker.cpuAtExit = threadBean.getCurrentThreadCpuTime(); // a finished thread's CPU is unreadable
                    finished.countDown();
                }
            }, "bench-capture-" + running.size());
            running.add(thread);
        }
        CountDownLatch stopRequested = new CountDownLatch(1);
        CountDownLatch reported = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopRequested.countDown();
            try {
                reported.await(10, TimeUnit.SECONDS); // the totals are printed before the JVM goes
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bench-capture-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.printf(Locale.ROOT, "capturing %s with %s, %d thread(s), snaplen %d, buffer %,d bytes; %s%n", iface,
                engineName, captures.size(), snaplen, bufferSize,
                seconds > 0 ? "for " + seconds + " s" : "Ctrl-C to stop");
        Sample start = sample();
        running.forEach(Thread::start);
        Sample previous = start;
        long deadline = seconds > 0 ? start.nanos + seconds * 1_000_000_000L : Long.MAX_VALUE;
        while (!stopRequested.await(Math.min(1_000_000_000L, Math.max(0, deadline - System.nanoTime())),
                TimeUnit.NANOSECONDS) && System.nanoTime() < deadline) {
            Sample now = sample();
            if (!quiet) {
                print(String.format(Locale.ROOT, "%6.1f s", (now.nanos - start.nanos) / 1e9), now.minus(previous));
            }
            previous = now;
        }
        captures.forEach(LiveCapture::stop);
        finished.await(3, TimeUnit.SECONDS);
        Sample total = sample().minus(start);
        captures.forEach(LiveCapture::close);
        System.out.println("total:");
        print(String.format(Locale.ROOT, "%6.1f s", total.nanos / 1e9), total);
        System.out.printf(Locale.ROOT, "result engine=%s threads=%d seconds=%.3f captured=%d decoded=%d malformed=%d "
                        + "kernel_drops=%d iface_drops=%d pps=%.0f cpu_s=%.3f capture_threads_cpu_s=%.3f cpu_s_per_mpkt=%.3f%n",
                engineName, captures.size(), total.nanos / 1e9, total.frames, total.frames - total.malformed,
                total.malformed, total.kernelDrops, total.ifaceDrops, total.frames / (total.nanos / 1e9),
                total.cpuNanos / 1e9, total.captureCpuNanos / 1e9, perMillion(total));
        System.out.flush();
        reported.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down (Ctrl-C): the hook is waiting for the line above
        }
        return 0;
    }

    private static double perMillion(Sample s) {
        return s.frames == 0 ? 0 : s.cpuNanos / 1e9 / (s.frames / 1e6);
    }

    private static void print(String when, Sample s) {
        double secs = s.nanos / 1e9;
        System.out.printf(Locale.ROOT, "%s  captured %,12d  decoded %,12d  malformed %,6d  kernel drops %,10d  "
                        + "%,10.0f pkt/s  cpu %6.2f s (capture threads %6.2f)  %6.2f cpu s/M pkt%n", when, s.frames,
                s.frames - s.malformed, s.malformed, s.kernelDrops, s.frames / secs, s.cpuNanos / 1e9,
                s.captureCpuNanos / 1e9, perMillion(s));
    }

    private Sample sample() {
        long frames = 0;
        long malformed = 0;
        long captureCpu = 0;
        for (Worker worker : workers) {
            frames += worker.counts.get(Worker.FRAMES);
            malformed += worker.counts.get(Worker.MALFORMED);
            long id = worker.threadId;
            long cpu = worker.cpuAtExit >= 0 ? worker.cpuAtExit : id == 0 ? -1 : threadBean.getThreadCpuTime(id);
            captureCpu += Math.max(0, cpu);
        }
        long kernel = 0;
        long ifaceDrops = 0;
        for (LiveCapture capture : captures) {
            LiveCapture.Drops drops = capture.drops();
            kernel += drops.kernel();
            ifaceDrops = Math.max(ifaceDrops, drops.iface()); // the interface's counter, the same for every thread
        }
        return new Sample(System.nanoTime(), frames, malformed, kernel, ifaceDrops, processCpuNanos(), captureCpu);
    }

    /** The whole process's CPU time (every thread: capture, JIT, GC). */
    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos()).orElse(0L);
    }
}
