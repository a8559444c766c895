package dev.wirewatch.app.cli;

import dev.wirewatch.app.analyze.HistoryReplay;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.sink.output.AlertFormat;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Re-runs detection over stored history: the records of ww.packets, ww.l2 and ww.sensors captured "
                + "between --from and --to are copied to topics of the replay's own and judged by a processor with a fresh "
                + "application id, with the topology and thresholds given here. The live processor's consumer group, state "
                + "and ww.alerts are not touched; the replay's topics are deleted when it ends (--keep-alerts keeps its alert "
                + "topic, e.g. for a sink).",
                "Times are capture times: 2026-12-01T08:00:00Z, 2026-12-01 (UTC midnight), now, or an age such as 6h or 1d.",
                "",
                "Example, yesterday with new thresholds: wirewatch replay --bootstrap-servers kafka:9092 --from 2026-12-01 --to 2026-12-02 --config tuned.yaml"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:unexpected error", "2:bad usage, bad file or bad config", "3:--fail-on threshold reached"})
public final class ReplayCommand implements Callable<Integer> {
    @Option(names = "--from", required = true, paramLabel = "TIME", description = "First capture time replayed.")
    String from;

    @Option(names = "--to", defaultValue = "now", paramLabel = "TIME", description = "End of the range, exclusive (default: ${DEFAULT-VALUE}).")
    String to;

    @Option(names = "--topology", paramLabel = "FILE", description = "topology.yaml to judge with (the live processor's, or a corrected one).")
    Path topology;

    @Mixin
    DetectorConfigOptions detectorConfig = new DetectorConfigOptions();

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|jsonl", description = "Output format (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the alerts to FILE instead of stdout.")
    Path out;

    @Option(names = "--keep-alerts", description = "Keep the replay's alert topic (its name is printed) instead of deleting it.")
    boolean keepAlerts;

    @Option(names = "--fail-on", paramLabel = "SEVERITY", description = "Exit with code 3 when an alert of this severity or higher was found.")
    String failOn;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Override
    public Integer call() {
        Optional<ProcessorConfig> loaded = detectorConfig.loadUnlessPrinted(System.out);
        if (loaded.isEmpty()) {
            return 0;
        }
        if (!kafka.external()) {
            throw new UsageException("--bootstrap-servers is required: replay reads the history stored on that cluster");
        }
        Instant now = Instant.now();
        Instant start = Arguments.parse(() -> TimeArgument.parse("--from", from, now));
        Instant end = Arguments.parse(() -> TimeArgument.parse("--to", to, now));
        if (!start.isBefore(end)) {
            throw new UsageException("--from " + from + " is not before --to " + to);
        }
        AlertFormat alertFormat = Arguments.parse(() -> AlertFormat.parse(format));
        var threshold = failOn == null ? null : Arguments.parse(() -> Severities.parse(failOn));
        NetworkTopology network = NetworkTopology.load(topology);
        HistoryReplay.Outcome outcome = new HistoryReplay(kafka.reachableClientConfig(), System.err)
                .run(start.toEpochMilli(), end.toEpochMilli(), network, loaded.get(), keepAlerts);
        if (outcome.hosts().isEmpty()) {
            System.err.printf("replay: no sensor's records between %s and %s; nothing to judge%n", start, end);
        }
        AlertListing.write(outcome.alerts(), alertFormat, out);
        System.err.printf("replay: %d alert%s from %,d records%s%n", outcome.alerts().size(),
                outcome.alerts().size() == 1 ? "" : "s", outcome.records(),
                outcome.alertsTopic() == null ? "" : "; alerts kept on topic " + outcome.alertsTopic());
        return AlertListing.exitCode(outcome.alerts(), threshold);
    }
}
