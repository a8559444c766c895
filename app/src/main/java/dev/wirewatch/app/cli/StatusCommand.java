package dev.wirewatch.app.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wirewatch.app.kafka.GroupLag;
import dev.wirewatch.app.status.ClusterStatus;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Reads Kafka and says how the deployment is, then exits:",
                "- each sensor from its last status on ww.sensors: live, degraded (and why), silent (no status for "
                        + "--stale-after) or stopped; the interfaces it captures, its last tick, packets and records per "
                        + "second, capture drops;",
                "- the processor: its consumer group's lag (records not yet processed) on each input topic;",
                "- the sink: its consumer group's lag on ww.alerts and the deliveries it gave up in the last hour "
                        + "(ww.alerts.undelivered, by output). Each sink's /health on its --http-port says whether an "
                        + "output fails now."},
        footerHeading = "%nExamples:%n",
        footer = {"  wirewatch status --bootstrap-servers kafka:9092",
                "  wirewatch status --bootstrap-servers kafka:9092 --format jsonl",
                "  wirewatch status --bootstrap-servers kafka:9092 --application-id wirewatch-processor --sink-group-id wirewatch-sink"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:Kafka unreachable or unexpected error", "2:bad usage"})
public final class StatusCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--application-id", defaultValue = "wirewatch-processor", paramLabel = "ID",
            description = "The processor's application id (default: ${DEFAULT-VALUE}).")
    String applicationId;

    @Option(names = "--sink-group-id", defaultValue = "wirewatch-sink", paramLabel = "ID",
            description = "The sink's consumer group (default: ${DEFAULT-VALUE}).")
    String sinkGroupId;

    @Option(names = "--stale-after", defaultValue = "30s", paramLabel = "DURATION",
            description = "A sensor with no status for this long is silent; sensors report every 10 s (default: ${DEFAULT-VALUE}).")
    String staleAfter;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|jsonl", description = "Output format (default: ${DEFAULT-VALUE}).")
    String format;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Override
    public Integer call() throws InterruptedException {
        if (!kafka.external()) {
            throw new UsageException("--bootstrap-servers is required: status reads the deployment's Kafka cluster");
        }
        if (!format.equals("text") && !format.equals("jsonl")) {
            throw new UsageException("unknown format '" + format + "': use text or jsonl");
        }
        Instant now = Instant.now();
        Duration stale = Arguments.parse(() -> Duration.between(TimeArgument.parse("--stale-after", staleAfter, now), now));
        ClusterStatus.Report report;
        try {
            report = new ClusterStatus(kafka.clientConfig(kafka.bootstrapServers), now, stale).read(applicationId, sinkGroupId);
        } catch (ExecutionException | java.util.concurrent.TimeoutException | org.apache.kafka.common.KafkaException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            System.err.printf("wirewatch status: cannot read %s: %s%n", kafka.bootstrapServers, cause.getMessage());
            return 1;
        }
        PrintStream out = System.out;
        if (format.equals("jsonl")) {
            jsonl(report, out);
        } else {
            text(report, now, out);
        }
        out.flush();
        return 0;
    }

    private static void text(ClusterStatus.Report report, Instant now, PrintStream out) {
        out.println("SENSORS (ww.sensors)");
        if (report.sensors().isEmpty()) {
            out.println("  no sensor has reported");
        } else {
            out.printf("  %-16s %-9s %-14s %-12s %-12s %10s %10s %8s  %s%n", "HOST", "STATE", "INTERFACES", "LAST STATUS",
                    "LAST TICK", "PACKETS/S", "RECORDS/S", "DROPS", "WHY");
            for (ClusterStatus.Sensor sensor : report.sensors()) {
                out.printf("  %-16s %-9s %-14s %-12s %-12s %10s %10s %8d  %s%n", sensor.host(), sensor.state(),
                        interfaces(sensor), ago(sensor.lastStatus(), now), ago(sensor.lastTick(), now),
                        rate(sensor.packetsPerSecond()), rate(sensor.recordsPerSecond()), sensor.captureDrops(),
                        sensor.reason() == null ? "" : sensor.reason());
            }
        }
        out.printf("%nPROCESSOR %s (consumer group lag)%n", report.processor().applicationId());
        lag(report.processor().lag(), out);
        out.printf("%nSINK %s (consumer group lag)%n", report.sink().groupId());
        lag(report.sink().lag(), out);
        if (report.sink().undeliveredLastHour().isEmpty()) {
            out.println("  no delivery given up in the last hour (ww.alerts.undelivered)");
        } else {
            report.sink().undeliveredLastHour().forEach((output, count) ->
                    out.printf("  %s: %d alert%s given up in the last hour%n", output, count, count == 1 ? "" : "s"));
        }
        out.println("  an output failing now: the sink's /health on its --http-port (503 with the reason)");
    }

    private static void lag(Map<String, GroupLag.TopicLag> lags, PrintStream out) {
        if (lags.values().stream().noneMatch(GroupLag.TopicLag::committed)) {
            out.println("  no committed offsets: not started yet, or another id");
        }
        lags.values().forEach(lag -> out.printf("  %-32s %,d record%s behind%s%n", lag.topic(), lag.records(),
                lag.records() == 1 ? "" : "s", lag.committed() ? "" : " (nothing committed)"));
    }

    private static void jsonl(ClusterStatus.Report report, PrintStream out) {
        for (ClusterStatus.Sensor sensor : report.sensors()) {
            ObjectNode line = JSON.createObjectNode().put("kind", "sensor").put("sensor_id", sensor.sensorId())
                    .put("host", sensor.host()).put("state", sensor.state()).put("reason", sensor.reason());
            line.putPOJO("interfaces", sensor.interfaces());
            line.putPOJO("not_capturing", sensor.notCapturing());
            line.put("last_status", sensor.lastStatus().toString())
                    .put("last_tick", sensor.lastTick() == null ? null : sensor.lastTick().toString())
                    .put("packets_per_second", sensor.packetsPerSecond()).put("records_per_second", sensor.recordsPerSecond())
                    .put("capture_drops", sensor.captureDrops()).put("kafka_unacknowledged_ms", sensor.kafkaUnacknowledgedMs());
            out.println(line);
        }
        ObjectNode processor = JSON.createObjectNode().put("kind", "processor")
                .put("application_id", report.processor().applicationId());
        processor.set("lag", lagNode(report.processor().lag()));
        out.println(processor);
        ObjectNode sink = JSON.createObjectNode().put("kind", "sink").put("group_id", report.sink().groupId());
        sink.set("lag", lagNode(report.sink().lag()));
        sink.set("undelivered_last_hour", JSON.valueToTree(report.sink().undeliveredLastHour()));
        out.println(sink);
    }

    private static ObjectNode lagNode(Map<String, GroupLag.TopicLag> lags) {
        ObjectNode node = JSON.createObjectNode();
        lags.forEach((topic, lag) -> node.put(topic, lag.committed() ? lag.records() : null));
        return node;
    }

    private static String ago(Instant then, Instant now) {
        if (then == null) {
            return "none in " + ClusterStatus.TICK_WINDOW.toMinutes() + " min";
        }
        long seconds = Math.max(0, Duration.between(then, now).toSeconds());
        return seconds < 120 ? seconds + " s ago" : seconds < 7200 ? seconds / 60 + " min ago" : seconds / 3600 + " h ago";
    }

    /** The interfaces it should capture; those whose capture is down now marked so. */
    private static String interfaces(ClusterStatus.Sensor sensor) {
        return sensor.interfaces().stream().map(name -> sensor.notCapturing().contains(name) ? name + "(down)" : name)
                .collect(java.util.stream.Collectors.joining(","));
    }

    private static String rate(Double perSecond) {
        return perSecond == null ? "-" : String.format("%.1f", perSecond);
    }
}
