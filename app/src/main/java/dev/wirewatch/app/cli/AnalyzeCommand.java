package dev.wirewatch.app.cli;

import dev.wirewatch.app.analyze.Analysis;
import dev.wirewatch.app.analyze.CaptureInput;
import dev.wirewatch.app.analyze.RunTopics;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Severity;
import dev.wirewatch.sensor.emit.EmissionMode;
import dev.wirewatch.sink.output.AlertFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "analyze", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compares captures of the same traffic taken on several hosts and reports where packets were lost and why.",
                "Each capture is replayed by a sensor as host HOST through Kafka (an embedded broker unless --bootstrap-servers is given), "
                        + "the processor and the sink; the command exits when every input is judged. pcap and pcapng.",
                "On an external cluster the run keeps to topics of its own (--topic-prefix), so live services never see it.",
                "",
                "Example: wirewatch analyze --topology topology.yaml --pcap client=client.pcap --pcap server@eth0=server.pcap"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:unexpected error", "2:bad usage, bad file or bad config", "3:--fail-on threshold reached"})
public final class AnalyzeCommand implements Callable<Integer> {
    @Option(names = "--pcap", required = true, paramLabel = "HOST[@IFACE]=FILE",
            description = "A capture taken on HOST (on interface IFACE; else the pcapng's interface name, else the host's first captured interface in the topology). Repeat for every host.")
    List<String> pcaps;

    @Option(names = "--topology", paramLabel = "FILE",
            description = "topology.yaml: hosts, their interfaces and addresses, what each sensor captures. Needed to compare more than one host.")
    Path topology;

    @Mixin
    DetectorConfigOptions detectorConfig = new DetectorConfigOptions();

    @Option(names = "--mode", defaultValue = "control", paramLabel = "control|full",
            converter = EmissionModes.class,
            description = "What the replaying sensors ship, as live sensors would: control (default: state-changing packets plus one summary per flow per second) or full (every header). Findings are the same.")
    EmissionMode mode;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|jsonl", description = "Output format (default: ${DEFAULT-VALUE}). jsonl: one JSON object per alert, fields as in ALERTS.md.")
    String format;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the alerts to FILE instead of stdout.")
    Path out;

    @Option(names = "--fail-on", paramLabel = "SEVERITY", description = "Exit with code 3 when an alert of this severity or higher was found: info, warning or critical.")
    String failOn;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX",
            description = "With --bootstrap-servers: the run's records, processor state and alerts go to topics named PREFIXww.packets, PREFIXww.alerts, ... and are kept after it. "
                    + "Default: topics of this run only (ww-analyze-RUNID.ww.packets, ...), deleted when it ends, also on Ctrl-C or failure. Never the cluster's live topics: a live processor and sink see nothing of an analysis.")
    String topicPrefix;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Override
    public Integer call() {
        Optional<ProcessorConfig> loaded = detectorConfig.loadUnlessPrinted(System.out);
        if (loaded.isEmpty()) {
            return 0;
        }
        ProcessorConfig processorConfig = loaded.get();
        AlertFormat alertFormat = Arguments.parse(() -> AlertFormat.parse(format));
        Severity threshold = failOn == null ? null : Arguments.parse(() -> Severities.parse(failOn));
        List<CaptureInput> captures = pcaps.stream().map(pcap -> Arguments.parse(() -> CaptureInput.parse(pcap))).toList();
        RunTopics topics = topicPrefix != null ? Arguments.parse(() -> RunTopics.kept(topicPrefix))
                : kafka.external() ? RunTopics.perRun() : RunTopics.OWN_BROKER;
        NetworkTopology network = NetworkTopology.load(topology);
        List<Alert> alerts;
        try (KafkaEndpoint endpoint = KafkaEndpoint.open(kafka, System.err)) {
            alerts = new Analysis(endpoint.clientConfig(), mode, System.err, topics).run(captures, network, processorConfig);
        }
        AlertListing.write(alerts, alertFormat, out);
        System.err.printf("analyze: %d alert%s%n", alerts.size(), alerts.size() == 1 ? "" : "s");
        return AlertListing.exitCode(alerts, threshold);
    }
}
