package dev.wirewatch.app.cli;

import dev.wirewatch.app.analyze.Analysis;
import dev.wirewatch.app.analyze.CaptureInput;
import dev.wirewatch.app.bench.BulkCaptureGenerator;
import dev.wirewatch.app.bench.MixCaptureGenerator;
import dev.wirewatch.app.bench.MixTopology;
import dev.wirewatch.app.bench.MixTruth;
import dev.wirewatch.app.broker.BrokerOptions;
import dev.wirewatch.app.broker.EmbeddedBroker;
import dev.wirewatch.app.kafka.TopicSetup;
import dev.wirewatch.sensor.CaptureMerge;
import dev.wirewatch.sensor.FileEventSource;
import dev.wirewatch.sensor.capture.CaptureFile;
import dev.wirewatch.sensor.capture.CapturedFrame;
import dev.wirewatch.sensor.decode.FrameDecoder;
import dev.wirewatch.sensor.emit.EmissionMode;
import dev.wirewatch.schemas.NatTable;
import dev.wirewatch.sensor.emit.RecordPublisher;
import dev.wirewatch.sensor.emit.RecordSink;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measures the sensor path on a capture file, single-threaded (so packets/s is per core), against tshark on the same file in the same run.",
                "", "  wirewatch bench generate --out /tmp/bulk.pcap --packets 1000000",
                "  wirewatch bench run /tmp/bulk.pcap", "",
                "bench capture measures a live capture engine apart from Kafka (deploy/bench/live.sh).", "", "Results and how to read them: BENCHMARKS.md."},
        subcommands = {BenchCommand.Generate.class, BenchCommand.Run.class, CaptureBenchCommand.class})
public final class BenchCommand {

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = {"Writes a deterministic pcap for benchmarks (Ethernet, headers only, snaplen 128) and prints what it holds.",
                    "mix: production-shaped traffic from 2026-12-01T00:00:00Z, half of it IPv6: short TCP connections to 443, 80, 5432, "
                            + "6379 and 8080 (about 105,000 per million packets), bulk transfers, idle connections with keep-alive probes "
                            + "every 5 s of capture time, DNS, ICMP echoes and port-unreachables, unanswered SYNs (1%%), refused "
                            + "connections (0.5%%) and mid-stream resets (0.5%%).",
                    "bulk: IPv4 uploads only (handshakes, 1448-byte segments, delayed ACKs, some retransmissions, FINs)."})
    static final class Generate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--profile", defaultValue = "mix", paramLabel = "mix|bulk", description = "What traffic (default: ${DEFAULT-VALUE}).")
        String profile;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "The capture; with --server-out, the client hosts' side of it.")
        Path out;

        @Option(names = "--server-out", paramLabel = "FILE", description = "mix only: also write the same flows as the server hosts capture them, 150-400 µs later or earlier per flow.")
        Path serverOut;

        @Option(names = "--topology-out", paramLabel = "FILE", description = "mix with --server-out: write the topology that names the server side's capture host 'server' (analyze --topology, bench run --topology).")
        Path topologyOut;

        @Option(names = "--packets", defaultValue = "1000000", description = "At least this many packets in --out; flows in progress are finished (default: ${DEFAULT-VALUE}).")
        long packets;

        @Option(names = "--rate", defaultValue = "50000", paramLabel = "PKTS_PER_SEC", description = "mix only: packets per second of capture time (default: ${DEFAULT-VALUE}).")
        double rate;

        @Option(names = "--flows", defaultValue = "200", description = "bulk only: uploads in progress at once (default: ${DEFAULT-VALUE}).")
        int flows;

        @Option(names = "--seed", defaultValue = "1", description = "The same seed and options write the same bytes (default: ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() throws Exception {
            switch (profile) {
                case "bulk" -> {
                    if (serverOut != null) {
                        throw new ParameterException(spec.commandLine(), "--server-out needs --profile mix");
                    }
                    long written = BulkCaptureGenerator.write(out, packets, flows, seed);
                    System.out.printf(Locale.ROOT, "wrote %,d packets to %s%n", written, out);
                }
                case "mix" -> {
                    if (!(rate > 0)) {
                        throw new ParameterException(spec.commandLine(), "--rate must be above 0");
                    }
                    MixTruth truth = MixCaptureGenerator.write(out, serverOut,
                            MixCaptureGenerator.Options.defaults(packets, seed).withRate(rate));
                    System.out.printf(Locale.ROOT, "wrote %s%s%n", out, serverOut == null ? "" : " and " + serverOut);
                    if (topologyOut != null) {
                        MixTopology.write(topologyOut);
                        System.out.printf(Locale.ROOT, "wrote %s%n", topologyOut);
                    }
                    System.out.print(truth.table());
                }
                default -> throw new ParameterException(spec.commandLine(), "--profile is mix or bulk, not " + profile);
            }
            return 0;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Times decode; decode + emission policy + Avro encoding (control and full); the same through an embedded Kafka broker; and tshark -q -z conv,tcp.")
    static final class Run implements Callable<Integer> {
        @Parameters(paramLabel = "FILE")
        Path file;

        @Option(names = "--repeat", defaultValue = "3", description = "Timed runs per stage after one warm-up; the median is shown (default: ${DEFAULT-VALUE}).")
        int repeat;

        @Option(names = "--processor", description = "Also time `analyze --mode full` end to end (every header through the exactly-once processor; packets/s is the processor's event rate, broker start included). Minutes on a million packets.")
        boolean processor;

        @Option(names = "--processor-only", description = "Only time the exactly-once processor alone (for profiling it).")
        boolean processorOnly;

        @Option(names = "--processor-input", defaultValue = "control", converter = EmissionModes.class,
                paramLabel = "control|full", description = "What the sensors ship for the processor-alone stage (default: ${DEFAULT-VALUE}).")
        EmissionMode aloneMode;

        @Option(names = "--server-file", paramLabel = "FILE",
                description = "The server side's capture of the same flows (bench generate --server-out): both files are replayed as two hosts, client and server, in the analyze and processor stages.")
        Path serverFile;

        @Option(names = "--topology", paramLabel = "FILE", description = "The topology for the analyze and processor stages (bench generate --topology-out).")
        Path topologyFile;

        private record Stage(String name, long packets, long records, double seconds) {}

        private double flowStateBytes;

        @Override
        public Integer call() throws Exception {
            List<Stage> stages = new ArrayList<>();
            if (processorOnly) {
                Stage alone = processorAlone();
                System.out.printf(Locale.ROOT, "%s: %,d packets as %,d input records in %.3f s = %,.0f records/s "
                        + "(%,.0f packets/s); a flow's state averaged %.0f bytes in its store%n", alone.name(),
                        alone.packets(), alone.records(), alone.seconds(), alone.records() / alone.seconds(),
                        alone.packets() / alone.seconds(), flowStateBytes);
                return 0;
            }
            stages.add(median("decode", this::decodeOnly));
            stages.add(median("decode + policy control + Avro", () -> encodeOnly(EmissionMode.CONTROL)));
            stages.add(median("decode + policy full + Avro", () -> encodeOnly(EmissionMode.FULL)));
            stages.add(throughBroker());
            stages.add(analyze(EmissionMode.CONTROL));
            if (processor) {
                stages.add(analyze(EmissionMode.FULL));
                stages.add(processorAlone());
            }
            double tshark = tshark();
            System.out.printf(Locale.ROOT, "%-38s %12s %9s %14s %12s %10s %10s%n", "stage", "packets", "seconds",
                    "packets/s", "records", "rec/packet", "vs tshark");
            for (Stage stage : stages) {
                System.out.printf(Locale.ROOT, "%-38s %,12d %9.3f %,14.0f %,12d %10.4f %9.1fx%n", stage.name(),
                        stage.packets(), stage.seconds(), stage.packets() / stage.seconds(), stage.records(),
                        stage.records() / (double) stage.packets(), tshark / stage.seconds());
            }
            System.out.printf(Locale.ROOT, "%-38s %12s %9.3f%n", "tshark -r FILE -q -z conv,tcp", "", tshark);
            return 0;
        }

        private interface Measured {
            Stage run() throws Exception;
        }

        private Stage median(String name, Measured measured) throws Exception {
            measured.run(); // warm-up: JIT
            List<Stage> runs = new ArrayList<>();
            for (int i = 0; i < repeat; i++) {
                runs.add(measured.run());
            }
            runs.sort((a, b) -> Double.compare(a.seconds(), b.seconds()));
            Stage middle = runs.get(runs.size() / 2);
            return new Stage(name, middle.packets(), middle.records(), middle.seconds());
        }

        private Stage decodeOnly() {
            long started = System.nanoTime();
            FrameDecoder decoder = new FrameDecoder();
            long packets = 0;
            try (CaptureFile capture = CaptureFile.open(file)) {
                CapturedFrame frame;
                while ((frame = capture.next()) != null) {
                    decoder.decode(frame);
                    packets++;
                }
            }
            return new Stage("decode", packets, 0, (System.nanoTime() - started) / 1e9);
        }

        private Stage encodeOnly(EmissionMode mode) {
            long[] bytes = new long[1];
            RecordSink encoding = new RecordSink() {
                @Override
                public void publish(SpecificRecord record) {
                    bytes[0] += RecordPublisher.encode(record, NatTable.NONE).value().length;
                }

                @Override
                public void tick(String host, long tsMicros, boolean endOfInput) {
                    bytes[0] += RecordPublisher.tickRecord(host, tsMicros, endOfInput).value().length;
                }
            };
            long started = System.nanoTime();
            try (FileEventSource source = new FileEventSource(file, "bench", "eth0")) {
                CaptureMerge.Totals totals = CaptureMerge.replay(List.of(new CaptureMerge.NamedSource("bench", source)),
                        encoding, mode, count -> { });
                return new Stage(mode.name(), totals.packets(), totals.packetRecords(),
                        (System.nanoTime() - started) / 1e9);
            }
        }

        private Stage throughBroker() {
            try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3))) {
                Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
                try (Admin admin = Admin.create(client)) {
                    TopicSetup.ensure(admin, 3, Map.of());
                }
                long started = System.nanoTime();
                try (RecordPublisher publisher = new RecordPublisher(client);
                     FileEventSource source = new FileEventSource(file, "bench", "eth0")) {
                    CaptureMerge.Totals totals = CaptureMerge.replay(
                            List.of(new CaptureMerge.NamedSource("bench", source)), publisher, EmissionMode.CONTROL, c -> { });
                    publisher.flush();
                    return new Stage("control mode to embedded Kafka", totals.packets(), totals.packetRecords(),
                            (System.nanoTime() - started) / 1e9);
                }
            }
        }

        /** `wirewatch analyze` end to end, once: embedded broker start, sensors, exactly-once processor, alerts read. */
        private Stage analyze(EmissionMode mode) {
            long started = System.nanoTime();
            PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
            Analysis.Outcome outcome;
            try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3))) {
                Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
                outcome = new Analysis(client, mode, quiet).run(captures(), network(), ProcessorConfig.DEFAULTS,
                        false);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            return new Stage("analyze end to end, " + mode.name().toLowerCase(Locale.ROOT) + " mode", outcome.records(),
                    outcome.inputRecords(), seconds);
        }

        private NetworkTopology network() {
            return topologyFile == null ? NetworkTopology.EMPTY : NetworkTopology.load(topologyFile);
        }

        /** The file as one host's capture, or with --server-file the two sides of the same flows. */
        private List<CaptureInput> captures() {
            return serverFile == null ? List.of(new CaptureInput("bench", "eth0", file))
                    : List.of(new CaptureInput("client", "eth0", file), new CaptureInput("server", "eth0", serverFile));
        }

        /**
         * The exactly-once processor alone: everything a control-mode sensor (or, with --mode full, a full one) sends
         * for the capture is in its input topics before it starts; the time from its start (tasks, state stores) until
         * it marked the end of the input judged. Records = what it read from its input topics.
         */
        private Stage processorAlone() {
            PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
            try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerOptions.local(null, 0, 3))) {
                Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
                Analysis.Outcome outcome = new Analysis(client, aloneMode, quiet).run(captures(), network(),
                        ProcessorConfig.DEFAULTS, true);
                flowStateBytes = outcome.flowStateBytes();
                return new Stage("processor alone, " + aloneMode.name().toLowerCase(Locale.ROOT) + " input",
                        outcome.records(), outcome.inputRecords(), outcome.judgeSeconds());
            }
        }

        private double tshark() throws Exception {
            long started = System.nanoTime();
            Process process = new ProcessBuilder("tshark", "-r", file.toString(), "-q", "-z", "conv,tcp")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (process.waitFor() != 0) {
                throw new IllegalStateException("tshark failed on " + file);
            }
            return (System.nanoTime() - started) / 1e9;
        }
    }
}
