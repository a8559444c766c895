package dev.wirewatch.sensor.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packet ring reads what tcpdump reads. A namespace sends a burst of varied frames (scapy, {@code burst.py})
 * over a veth; tcpdump and the ring capture the root end at the same time, and tcpdump's file is the truth: the
 * same number of frames, the same bytes up to the snaplen (a VLAN tag the veth moved out of the frame put back),
 * the same lengths on the wire and the same kernel timestamps. Needs root, tcpdump and python3-scapy (.ci/run).
 */
class RingCaptureMatchesTcpdumpTest {
    private static final String NAMESPACE = "wwt-ring";
    private static final String LINK = "wwt-ring0";
    private static final int ROUNDS = 250;
    private static final int FRAMES_PER_ROUND = 8;
    private static final int SNAPLEN = 128;

    @BeforeAll
    static void veth() throws Exception {
        assertTrue(new ProcessBuilder("sh", "-c", "[ \"$(id -u)\" = 0 ] && ip netns list >/dev/null").start().waitFor() == 0,
                "needs root and network namespaces (ip netns): run the tests as root after deploy/test-deps.sh");
        removeVeth();
        sh("ip netns add " + NAMESPACE + " && ip link add " + LINK + " type veth peer name wwt-ring1 netns " + NAMESPACE
                + " && sysctl -qw net.ipv6.conf." + LINK + ".disable_ipv6=1 && ip link set " + LINK + " up"
                + " && ip netns exec " + NAMESPACE + " sh -c 'sysctl -qw net.ipv6.conf.wwt-ring1.disable_ipv6=1;"
                + " ip link set lo up; ip link set wwt-ring1 up'");
    }

    @AfterAll
    static void removeVeth() throws Exception {
        sh("ip netns del " + NAMESPACE + " 2>/dev/null; ip link del " + LINK + " 2>/dev/null; true");
    }

    @Test
    void oneThreadCapturesEveryFrameTcpdumpCapturesWithTheSameBytesAndTimes(@TempDir Path dir) throws Exception {
        Captured run = captureBurst(dir, 1);
        assertEquals(ROUNDS * FRAMES_PER_ROUND, run.tcpdump.size(), "the burst, as tcpdump saw it");
        assertEquals(run.tcpdump.size(), run.ring.size(), "frames: tcpdump vs the ring");
        for (int i = 0; i < run.tcpdump.size(); i++) {
            CapturedFrame truth = run.tcpdump.get(i);
            CapturedFrame frame = run.ring.get(i);
            assertArrayEquals(truth.data(), frame.data(), "bytes of frame " + (i + 1));
            assertEquals(truth.originalLength(), frame.originalLength(), "wire length of frame " + (i + 1));
            // stamped once on receive (see KernelTimestamps), so equal; the slack only covers a kernel path that
            // lets each packet socket read the clock itself — a unit or offset error is far larger
            assertTrue(Math.abs(truth.tsMicros() - frame.tsMicros()) <= 50, "timestamp of frame " + (i + 1) + ": "
                    + truth.tsMicros() + " vs " + frame.tsMicros());
            assertEquals(1, frame.linkType());
            assertEquals(LINK, frame.iface());
        }
        assertTrue(run.tcpdump.stream().anyMatch(frame -> frame.originalLength() > SNAPLEN && frame.data().length == SNAPLEN),
                "a frame longer than the snaplen, cut there");
        assertTrue(run.tcpdump.stream().anyMatch(frame -> (frame.data()[12] & 0xff) == 0x81 && frame.data()[13] == 0
                && frame.data().length == SNAPLEN), "a VLAN-tagged frame cut at the snaplen");
    }

    @Test
    void fanoutSpreadsFlowsOverThreadsAndLosesNone(@TempDir Path dir) throws Exception {
        Captured run = captureBurst(dir, 2);
        assertEquals(run.tcpdump.size(), run.ring.size(), "frames: tcpdump vs the ring's two threads");
        assertEquals(multiset(run.tcpdump), multiset(run.ring), "the same frames");
        Map<String, Set<Integer>> threadsPerFlow = new HashMap<>();
        for (int i = 0; i < run.ring.size(); i++) {
            byte[] data = run.ring.get(i).data();
            if ((data[12] & 0xff) == 0x08 && data[13] == 0 && data[23] == 6) { // IPv4 TCP, untagged
                String flow = endpoint(data, 26, 34) + "|" + endpoint(data, 30, 36);
                threadsPerFlow.computeIfAbsent(flow, key -> new HashSet<>()).add(run.threadOf.get(i));
            }
        }
        assertTrue(threadsPerFlow.size() > 100, "many flows: " + threadsPerFlow.size());
        threadsPerFlow.forEach((flow, threads) -> assertEquals(1, threads.size(), flow + " on one thread"));
        assertEquals(2, threadsPerFlow.values().stream().flatMap(Set::stream).distinct().count(), "both threads used");
    }

    @Test
    void aFullRingCountsWhatItDroppedSoCapturedAndDroppedAddUpToWhatWasSent(@TempDir Path dir) throws Exception {
        // The smallest ring (two 64 KiB blocks, ~700 headers) and nobody reading while the burst arrives.
        List<LiveCapture> captures = LiveCapture.open(LINK, new LiveCapture.Options(SNAPLEN, false, 128 << 10, null,
                LiveCapture.Engine.RING, 1));
        LiveCapture capture = captures.get(0);
        send(dir);
        List<CapturedFrame> frames = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> capture.run(frames::add));
        reader.start();
        Thread.sleep(500);
        capture.stop();
        reader.join(5000);
        long dropped = capture.drops().kernel();
        capture.close();
        assertTrue(dropped > 0, "a full ring drops");
        assertEquals(ROUNDS * FRAMES_PER_ROUND, frames.size() + dropped, "captured " + frames.size() + " + dropped " + dropped);
        assertEquals(frames.size(), capture.captured());
    }

    private record Captured(List<CapturedFrame> tcpdump, List<CapturedFrame> ring, List<Integer> threadOf) {}

    private static Captured captureBurst(Path dir, int threads) throws Exception {
        try (KernelTimestamps stamped = KernelTimestamps.on()) {
            return captureBurstStamped(dir, threads);
        }
    }

    /**
     * A socket with SO_TIMESTAMP open: while one exists the kernel stamps every received packet once, and every
     * packet socket reports that stamp; otherwise each reads the clock when the packet reaches it, microseconds
     * apart. The sensor needs no such thing; the comparison does.
     */
    private static final class KernelTimestamps implements AutoCloseable {
        private final int fd;

        private KernelTimestamps(int fd) {
            this.fd = fd;
        }

        static KernelTimestamps on() throws InterruptedException {
            int fd = LinuxPacketSocket.Libc.C.socket(2, 2, 0); // AF_INET, SOCK_DGRAM
            com.sun.jna.Memory one = new com.sun.jna.Memory(4);
            one.setInt(0, 1);
            LinuxPacketSocket.Libc.C.setsockopt(fd, 1, 29, one, 4); // SOL_SOCKET, SO_TIMESTAMP
            Thread.sleep(100); // the kernel turns stamping on from a work queue
            return new KernelTimestamps(fd);
        }

        @Override
        public void close() {
            LinuxPacketSocket.Libc.C.close(fd);
        }
    }

    private static Captured captureBurstStamped(Path dir, int threads) throws Exception {
        Path file = dir.resolve("tcpdump.pcap");
        Process tcpdump = new ProcessBuilder("tcpdump", "-i", LINK, "-s", String.valueOf(SNAPLEN), "-B", "65536", "-n", "--immediate-mode", // a block timeout would keep the last packets from it at SIGINT
                "-w", file.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("tcpdump.log").toFile()).start();
        List<LiveCapture> captures = LiveCapture.open(LINK, new LiveCapture.Options(SNAPLEN, false, 64 << 20, null,
                LiveCapture.Engine.RING, threads));
        List<CapturedFrame> frames = new CopyOnWriteArrayList<>();
        List<Integer> threadOf = Collections.synchronizedList(new ArrayList<>());
        List<Thread> readers = new ArrayList<>();
        for (int t = 0; t < captures.size(); t++) {
            int thread = t;
            LiveCapture capture = captures.get(t);
            Thread reader = new Thread(() -> capture.run(frame -> {
                synchronized (threadOf) {
                    frames.add(frame);
                    threadOf.add(thread);
                }
            }));
            reader.start();
            readers.add(reader);
        }
        awaitListening(dir.resolve("tcpdump.log"));
        send(dir);
        Thread.sleep(500); // past the ring's block timeout and tcpdump's buffer timeout
        sh("kill -INT " + tcpdump.pid()); // tcpdump writes what it has, reports its drops and exits
        assertTrue(tcpdump.waitFor(10, TimeUnit.SECONDS));
        String report = Files.readString(dir.resolve("tcpdump.log"));
        assertTrue(report.matches("(?s).*\\n0 packets dropped by kernel.*"), "tcpdump lost packets itself: " + report);
        captures.forEach(LiveCapture::stop);
        for (Thread reader : readers) {
            reader.join(5000);
        }
        captures.forEach(capture -> assertEquals(0, capture.drops().kernel(), "ring drops"));
        captures.forEach(LiveCapture::close);
        return new Captured(read(file), frames, threadOf);
    }

    /** The burst from inside the namespace; returns when scapy has sent it. */
    private static void send(Path dir) throws Exception {
        Path script = dir.resolve("burst.py");
        try (var in = RingCaptureMatchesTcpdumpTest.class.getResourceAsStream("/burst.py")) {
            Files.copy(in, script);
        }
        sh("ip netns exec " + NAMESPACE + " /usr/bin/python3 " + script + " wwt-ring1 " + ROUNDS);
    }

    private static List<CapturedFrame> read(Path file) {
        List<CapturedFrame> frames = new ArrayList<>();
        try (CaptureFile capture = CaptureFile.open(file)) {
            for (CapturedFrame frame = capture.next(); frame != null; frame = capture.next()) {
                frames.add(frame);
            }
        }
        return frames;
    }

    private static Map<String, Integer> multiset(List<CapturedFrame> frames) {
        Map<String, Integer> counts = new HashMap<>();
        for (CapturedFrame frame : frames) {
            counts.merge(java.util.HexFormat.of().formatHex(frame.data()), 1, Integer::sum);
        }
        return counts;
    }

    private static String endpoint(byte[] data, int address, int port) {
        return (data[address] & 0xff) + "." + (data[address + 1] & 0xff) + "." + (data[address + 2] & 0xff) + "."
                + (data[address + 3] & 0xff) + ":" + (((data[port] & 0xff) << 8) | (data[port + 1] & 0xff));
    }

    private static void awaitListening(Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains("listening on")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("tcpdump did not start: " + (Files.exists(log) ? Files.readString(log) : "no output"));
    }

    private static void sh(String command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new AssertionError(command + " failed: " + output);
        }
    }
}
