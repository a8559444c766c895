package dev.wirewatch.app.cli;

import dev.wirewatch.app.http.ServiceEndpoint;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.schemas.NatTable;
import dev.wirewatch.schemas.Times;
import dev.wirewatch.sensor.CaptureMerge;
import dev.wirewatch.sensor.FileEventSource;
import dev.wirewatch.sensor.SensorService;
import dev.wirewatch.sensor.capture.Capabilities;
import dev.wirewatch.sensor.capture.LiveCapture;
import dev.wirewatch.sensor.emit.EmissionMode;
import dev.wirewatch.sensor.emit.RecordPublisher;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import sun.misc.Signal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "sensor", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"One host's sensor: captures packet headers (never payload) on its interfaces and ships them to Kafka "
                + "(ww.packets, ww.l2), with a Tick every second and its inventory and counters on ww.sensors every 10 s.",
                "Live capture needs root or CAP_NET_RAW. SIGTERM or Ctrl-C stops it after flushing what it captured.",
                "", "Example: wirewatch sensor --bootstrap-servers kafka:9092 --interface eth0 --interface eth1"})
public final class SensorCommand implements Callable<Integer> {
    @Option(names = "--host", paramLabel = "NAME", description = "Name of this host in alerts (default: the host name).")
    String host;

    @Option(names = "--interface", paramLabel = "IF", description = "Interface to capture; repeat for several, or 'any' (default: any).")
    List<String> interfaces = new ArrayList<>();

    @Option(names = "--filter", paramLabel = "BPF", description = "Capture filter (tcpdump syntax). The sensor's own Kafka traffic is always excluded.")
    String filter;

    @Option(names = "--snaplen", defaultValue = "128", description = {
            "Bytes captured per packet: headers only (default: ${DEFAULT-VALUE}).",
            "An IPv6 host that ignores ICMPv6 redirects is found only with 160 or more: a Linux router quotes the "
                    + "redirected flow's ports at bytes 150-158 of its redirect."})
    int snaplen;

    @Option(names = "--promiscuous", description = "Capture in promiscuous mode (default: off).")
    boolean promiscuous;

    @Option(names = "--buffer-size", defaultValue = "67108864", paramLabel = "BYTES",
            description = "Kernel capture buffer per interface: the packet ring, shared by its capture threads "
                    + "(default: ${DEFAULT-VALUE}, 64 MiB: about 250,000 headers, a quarter second at 1 M packets/s).")
    int bufferSize;

    @Option(names = "--engine", defaultValue = "auto", paramLabel = "auto|ring|libpcap", converter = CaptureEngines.class,
            description = {"What reads the kernel's packets (default: ${DEFAULT-VALUE}). ring: Linux's TPACKET_V3 packet "
                    + "ring read in Java, no native call per packet (Ethernet, loopback and 'any'; libpcap compiles its "
                    + "filter, and every sensor has one: its own Kafka traffic is left out). libpcap: the portable engine, one native call and more per packet. auto: "
                    + "the ring on Linux where it can capture the interface, else libpcap."})
    LiveCapture.Engine engine;

    @Option(names = "--capture-threads", defaultValue = "1", paramLabel = "N",
            description = "Capture threads per interface (ring engine): the kernel's fanout hashes each flow, both "
                    + "directions, to one thread (default: ${DEFAULT-VALUE}; one thread reads well over 1 M packets/s, "
                    + "see BENCHMARKS.md).")
    int captureThreads;

    @Option(names = "--mode", defaultValue = "control", paramLabel = "control|full", converter = EmissionModes.class,
            description = {"What to ship (default: ${DEFAULT-VALUE}). control: every packet that can change a connection's state "
                    + "(SYN, FIN, RST, zero windows, keep-alives, each side's first data and ACK, anything after an idle second) "
                    + "and a summary of the steady rest, held for up to a second and shipped as one record per flow: a short "
                    + "flow that opens, talks and closes within the second is one record. See BENCHMARKS.md for records "
                    + "per packet. full: every header, one record each. Detections are the same in both modes."})
    EmissionMode mode;

    @Option(names = "--max-flows", defaultValue = "65536", paramLabel = "N",
            description = "Flows the control mode tracks at once; beyond that the least recently active is summarised and forgotten (default: ${DEFAULT-VALUE}).")
    int maxFlows;

    @Option(names = "--queue-bytes", defaultValue = "67108864", paramLabel = "BYTES",
            description = {"Records held while Kafka is slow or unreachable (default: ${DEFAULT-VALUE}, 64 MiB, about 600,000 records). "
                    + "Capture never waits for Kafka: when the queue is full the oldest records are dropped, counted "
                    + "(queueDropped in ww.sensors, /metrics) and the sensor reports itself degraded."})
    long queueBytes;

    @Option(names = "--stop-timeout", defaultValue = "30", paramLabel = "SECONDS",
            description = "On SIGTERM or Ctrl-C, how long to wait for Kafka to take what is queued (default: ${DEFAULT-VALUE}).")
    int stopTimeoutSeconds;

    @Option(names = "--realtime", description = "With --read: send at the pace the file was captured, as a live sensor would have; "
            + "stderr names the wall time its first packet was due at, so latencies can be measured from capture time.")
    boolean realtime;

    @Option(names = "--realtime-start", paramLabel = "TIME",
            description = "With --realtime: the wall time (e.g. 2026-12-07T08:00:00Z) its first packet is due at, so that sensors replaying the two sides of one capture stay in step (default: at once).")
    String realtimeStart;

    @Option(names = "--http-port", paramLabel = "PORT",
            description = "Serve /metrics (Prometheus: packets captured, decoded, malformed, records emitted, libpcap and queue drops, queue depth, producer latency, flows, degraded) and /health (200, or 503 with the reason while degraded) on this port. Off unless given.")
    Integer httpPort;

    @Option(names = "--topology", paramLabel = "FILE",
            description = "topology.yaml whose 'nat' list names translated endpoints by their public side in flow keys, so a server's private view joins its clients' public one. Give every sensor and the processor the same file.")
    Path topology;

    @Option(names = "--drop-reasons", description = "Linux, root: read why the kernel drops packets (tracepoint "
            + "skb:kfree_skb through tracefs, mounted if needed, turned off on exit), count drops per reason, and "
            + "ship the reason for a dropped SYN the sensor saw arrive, so UNANSWERED_SYN names it (e.g. NETFILTER_DROP).")
    boolean dropReasons;

    @Option(names = "--read", paramLabel = "FILE", description = "Replay a pcap or pcapng file instead of capturing live.")
    Path read;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Override
    public Integer call() throws Exception {
        if (!kafka.external()) {
            throw new UsageException("--bootstrap-servers is required: a sensor ships to a Kafka cluster");
        }
        Map<String, Object> clientConfig = kafka.clientConfig(kafka.bootstrapServers);
        String name = host != null ? host : InetAddress.getLocalHost().getHostName();
        NatTable nat = NetworkTopology.load(topology).nat();
        if (read != null) {
            Instant startAt = realtimeStart == null ? null : Arguments.parse(() -> {
                if (!realtime) {
                    throw new IllegalArgumentException("--realtime-start needs --realtime");
                }
                try {
                    return Instant.parse(realtimeStart);
                } catch (java.time.format.DateTimeParseException e) {
                    throw new IllegalArgumentException("--realtime-start: not a time like 2026-12-07T08:00:00Z: " + realtimeStart);
                }
            });
            try (RecordPublisher publisher = new RecordPublisher(clientConfig, nat, "", name);
                 FileEventSource events = new FileEventSource(read, name, interfaces.isEmpty() ? null : interfaces.get(0))) {
                CaptureMerge.Totals totals = CaptureMerge.replay(List.of(new CaptureMerge.NamedSource(name, events)),
                        publisher, mode, realtime, count -> System.err.printf("sensor %s: %,d records read%n", name, count),
                        startAt, pace -> System.err.printf("sensor %s: realtime replay: capture time %s paced from wall time %s%n",
                                name, Times.iso(pace.firstCaptureMicros()), Times.iso(pace.wallStartMicros())));
                publisher.flush();
                System.err.printf("sensor %s: replayed %s: %,d packets as %,d records (%s mode)%n", name, read,
                        totals.packets(), totals.packetRecords(), mode.name().toLowerCase(java.util.Locale.ROOT));
            }
            return 0;
        }
        List<String> captured = interfaces.isEmpty() ? List.of("any") : interfaces;
        Capabilities.ofThisProcess().requireForLiveCapture(dropReasons);
        SensorService sensor = new SensorService(new SensorService.Settings(name, captured, captureOptions(), mode,
                maxFlows, queueBytes, Duration.ofSeconds(stopTimeoutSeconds), nat, dropReasons), clientConfig);
        ServiceEndpoint endpoint = null;
        if (httpPort != null) {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            sensor.bindMetrics(registry);
            endpoint = ServiceEndpoint.start(httpPort, registry, sensor::degradedReason);
            System.err.printf("sensor %s: /metrics and /health on port %d%n", name, endpoint.port());
        }
        ServiceEndpoint http = endpoint;
        CompletableFuture<String> stopRequested = new CompletableFuture<>();
        // SIGTERM and Ctrl-C ask for a planned stop, run below on this thread, so that the exit status is 0; the
        // hook stays for any other way the JVM ends
        for (String signal : List.of("TERM", "INT")) {
            Signal.handle(new Signal(signal), received -> stopRequested.complete("SIG" + received.getName()));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(sensor::close, "wirewatch-sensor-stop"));
        sensor.start();
        System.err.printf("sensor %s: capturing %s; Ctrl-C to stop%n", name, captured);
        CompletableFuture.anyOf(stopRequested, sensor.fatal()).join();
        try {
            if (sensor.fatal().isDone()) {
                long undelivered = sensor.close(Duration.ZERO);
                String why = sensor.fatal().join();
                System.err.printf("sensor %s: stopped: %s; %,d records were not delivered. Check security.protocol, "
                                + "sasl.* and ssl.* in --kafka-config against the broker's listener, and the sensor's "
                                + "ACLs.%n", name, why.startsWith("Kafka ") ? "Kafka at " + kafka.bootstrapServers
                                + why.substring("Kafka".length()) : why + " (Kafka at " + kafka.bootstrapServers + ")",
                        undelivered);
                return 1;
            }
            long undelivered = sensor.close(Duration.ofSeconds(stopTimeoutSeconds));
            System.err.printf("sensor %s: stopped (%s)%s%n", name, stopRequested.join(),
                    undelivered == 0 ? "" : String.format("; %,d records were not delivered", undelivered));
            return 0;
        } finally {
            if (http != null) {
                http.close();
            }
        }
    }

    private LiveCapture.Options captureOptions() {
        try {
            return new LiveCapture.Options(snaplen, promiscuous, bufferSize, captureFilter(), engine, captureThreads);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The user's filter, and never the sensor's own traffic to Kafka. */
    String captureFilter() {
        return captureFilter(filter, kafka.bootstrapServers);
    }

    static String captureFilter(String filter, String bootstrapServers) {
        List<String> brokers = new ArrayList<>();
        for (String server : bootstrapServers.split(",")) {
            String trimmed = server.trim();
            int colon = trimmed.lastIndexOf(':');
            if (colon > 0) {
                String address = trimmed.substring(0, colon).replace("[", "").replace("]", "");
                brokers.add("(host " + address + " and port " + trimmed.substring(colon + 1) + ")");
            }
        }
        String ownTraffic = brokers.isEmpty() ? null : "not (tcp and (" + String.join(" or ", brokers) + "))";
        if (filter == null || filter.isBlank()) {
            return ownTraffic;
        }
        return ownTraffic == null ? filter : "(" + filter + ") and " + ownTraffic;
    }
}
