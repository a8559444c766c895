package dev.wirewatch.app.cli;

import dev.wirewatch.app.kafka.TopicReads;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Severity;
import dev.wirewatch.schemas.AvroSerde;
import dev.wirewatch.schemas.Topics;
import dev.wirewatch.sink.output.AlertFormat;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "alerts", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Lists the alerts on ww.alerts and exits: each finding once, as its latest revision, oldest first. "
                + "Records that are not alerts (tombstones, garbage) are skipped and counted on stderr."},
        footerHeading = "%nExamples:%n",
        footer = {"  wirewatch alerts --bootstrap-servers kafka:9092 --since 1h",
                "  wirewatch alerts --bootstrap-servers kafka:9092 --type UNANSWERED_SYN --severity warning",
                "  wirewatch alerts --bootstrap-servers kafka:9092 --since 2026-12-01 --format jsonl"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:Kafka unreachable or unexpected error", "2:bad usage"})
public final class AlertsCommand implements Callable<Integer> {
    @Option(names = "--since", paramLabel = "TIME",
            description = "Only alerts last seen at or after TIME: an age (30m, 1h, 1d), 2026-12-01T08:00:00Z, 2026-12-01 or now (default: all kept).")
    String since;

    @Option(names = "--type", paramLabel = "TYPE", split = ",", description = "Only these alert types (repeat or comma-separate), e.g. UNANSWERED_SYN.")
    Set<String> types;

    @Option(names = "--severity", paramLabel = "SEVERITY", description = "Only alerts of this severity or higher: info, warning, critical.")
    String severity;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|jsonl", description = "Output format (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--topic", defaultValue = Topics.ALERTS, paramLabel = "TOPIC", description = "The alerts topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Override
    public Integer call() {
        if (!kafka.external()) {
            throw new UsageException("--bootstrap-servers is required: alerts reads ww.alerts on that cluster");
        }
        Instant now = Instant.now();
        long fromMicros = since == null ? Long.MIN_VALUE
                : Arguments.parse(() -> TimeArgument.parse("--since", since, now)).toEpochMilli() * 1000;
        Severity least = severity == null ? Severity.info : Arguments.parse(() -> Severities.parse(severity));
        AlertFormat alertFormat = Arguments.parse(() -> AlertFormat.parse(format));
        Latest latest = new Latest();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReads.consumer(kafka.clientConfig(kafka.bootstrapServers))) {
            // Alerts carry their last-seen time as record time: from the first at or after --since on.
            var from = fromMicros == Long.MIN_VALUE ? TopicReads.offsetsAt(consumer, topic, 0)
                    : TopicReads.offsetsAt(consumer, topic, fromMicros / 1000);
            var decode = AvroSerde.of(Alert.class).deserializer();
            TopicReads.readToEnd(consumer, from, record -> {
                try {
                    latest.add(decode.deserialize(topic, record.value()));
                } catch (KafkaException | IllegalArgumentException unreadable) {
                    latest.unreadable++;
                }
            });
        } catch (KafkaException e) {
            System.err.printf("wirewatch alerts: cannot read %s from %s: %s%n", topic, kafka.bootstrapServers, e.getMessage());
            return 1;
        }
        List<Alert> shown = latest.byId.values().stream()
                .filter(alert -> alert.getLastSeenMicros() >= fromMicros)
                .filter(alert -> types == null || types.contains(alert.getType()))
                .filter(alert -> alert.getSeverity().ordinal() >= least.ordinal())
                .sorted(Comparator.comparingLong(Alert::getLastSeenMicros)).toList();
        AlertListing.write(shown, alertFormat, null);
        if (latest.unreadable > 0) {
            System.err.printf("alerts: %d record%s on %s skipped: not an alert (tombstone or foreign)%n", latest.unreadable,
                    latest.unreadable == 1 ? "" : "s", topic);
        }
        System.err.printf("alerts: %d shown of %d finding%s on %s%n", shown.size(), latest.byId.size(),
                latest.byId.size() == 1 ? "" : "s", topic);
        return 0;
    }

    /**
     * One alert per id: a refined finding is written again under its id, so the one kept is the latest revision
     * (its {@code revision} field where the record has one, else the one written last).
     */
    private static final class Latest {
        private final Map<String, Alert> byId = new LinkedHashMap<>();
        private long unreadable;

        void add(Alert alert) {
            if (alert == null) {
                unreadable++;
                return;
            }
            byId.merge(alert.getId(), alert, (before, after) -> revision(after) >= revision(before) ? after : before);
        }

        private static long revision(Alert alert) {
            Schema.Field field = alert.getSchema().getField("revision");
            return field != null && alert.get(field.pos()) instanceof Number number ? number.longValue() : 0;
        }
    }
}
