package dev.wirewatch.app.cli;

import dev.wirewatch.app.export.AlertLookup;
import dev.wirewatch.app.export.EvidenceExport;
import dev.wirewatch.app.export.EvidenceQuery;
import dev.wirewatch.app.export.EvidenceScan;
import dev.wirewatch.app.export.FlowSpec;
import dev.wirewatch.processor.config.Durations;
import dev.wirewatch.record.Alert;
import dev.wirewatch.schemas.FlowKey;
import dev.wirewatch.schemas.Topics;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes the packet headers behind an alert or a flow, from every vantage, as one pcapng to open in "
                + "Wireshark: one interface per host and interface, named host/iface, packets in capture-time order, "
                + "timestamps in microseconds.",
                "Sensors ship decoded headers, not bytes: each packet is rebuilt from its header fields (Ethernet, IP, "
                        + "TCP with its options, UDP, ICMP) without payload, its original length as the IP header gave it. "
                        + "Sensors in --mode control summarise steady data packets instead of shipping them; those are "
                        + "counted, not exported.",
                "",
                "Examples:",
                "  wirewatch export --bootstrap-servers kafka:9092 --alert ID -w evidence.pcapng",
                "  wirewatch export --bootstrap-servers kafka:9092 \\",
                "      --flow tcp:10.0.0.1:5000-10.0.0.2:80 -w flow.pcapng"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:written", "1:unexpected error", "2:bad usage, unknown alert, or nothing found"})
public final class ExportCommand implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Subject subject;

    static final class Subject {
        @Option(names = "--alert", paramLabel = "ID", description = "An alert's id (the id field of its JSON line).")
        String alert;

        @Option(names = "--flow", paramLabel = "KEY", description = "A flow: " + FlowSpec.SYNTAX
                + ", either end first; an alert's client and server joined by '-' or ',' work as they are.")
        String flow;
    }

    @Option(names = {"-w", "--write"}, required = true, paramLabel = "FILE", description = "The pcapng file to write.")
    Path file;

    @Option(names = "--margin", defaultValue = "10s", paramLabel = "DURATION",
            description = "With --alert: how far before its first_seen and after its last_seen to look (default: ${DEFAULT-VALUE}).")
    String margin;

    @Option(names = "--from", paramLabel = "TIME", description = "Earliest capture time: ISO-8601 as alerts print it (2026-01-31T12:00:00.000000Z), a date, now, or an age (6h).")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "Latest capture time, in the same forms.")
    String to;

    @Option(names = "--topic-prefix", defaultValue = "", paramLabel = "PREFIX",
            description = "Read the topics an analysis kept with analyze --topic-prefix PREFIX (PREFIXww.packets, PREFIXww.alerts) instead of the live ones.")
    String topicPrefix;

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Override
    public Integer call() {
        FlowKey flow = subject.flow == null ? null : Arguments.parse(() -> FlowSpec.parse(subject.flow));
        Duration around = Durations.parse("--margin", margin);
        Long fromMicros = from == null ? null : micros("--from", from);
        Long toMicros = to == null ? null : micros("--to", to);
        if (!kafka.external()) {
            throw new UsageException("--bootstrap-servers is required: export reads the cluster the sensors write to");
        }
        try {
            return export(flow, around, fromMicros, toMicros);
        } catch (TimeoutException | UnknownTopicOrPartitionException e) {
            // a wrong --bootstrap-servers, or a cluster wirewatch never wrote to: the user's to fix
            throw new UsageException("Kafka at " + kafka.bootstrapServers + ": " + e.getMessage());
        }
    }

    private int export(FlowKey flow, Duration around, Long fromMicros, Long toMicros) {
        Map<String, Object> clientConfig = kafka.reachableClientConfig();
        EvidenceQuery query;
        if (flow != null) {
            query = EvidenceQuery.ofFlow(flow, Long.MIN_VALUE, Long.MAX_VALUE);
        } else {
            Alert alert = new AlertLookup(clientConfig, topicPrefix).find(subject.alert).orElseThrow(() -> new UsageException(
                    "no alert with id '" + subject.alert + "' on " + topicPrefix + Topics.ALERTS + " at " + kafka.bootstrapServers));
            query = Arguments.parse(() -> EvidenceQuery.ofAlert(alert, around));
        }
        query = query.within(fromMicros == null ? query.fromMicros() : fromMicros,
                toMicros == null ? query.toMicros() : toMicros);
        EvidenceScan.Found found = new EvidenceScan(clientConfig, System.err, topicPrefix).read(query);
        if (found.sightings().isEmpty()) {
            throw new UsageException("no packets of " + query.subject() + " between " + query.window() + " on "
                    + topicPrefix + Topics.PACKETS + (query.arp() == null ? "" : " or " + topicPrefix + Topics.L2) + controlModeNote(found.summaries()));
        }
        EvidenceExport.Written written;
        try (OutputStream out = Files.newOutputStream(file)) {
            written = EvidenceExport.write(found.sightings(), "wirewatch export of " + query.subject(), out);
        } catch (IOException e) {
            throw new UsageException("-w " + file + ": cannot write: " + e.getMessage());
        }
        System.err.printf("export: %d packet%s of %s from %s to %s%n", written.packets(),
                written.packets() == 1 ? "" : "s", query.subject(), String.join(", ", written.interfaces()), file);
        if (found.summaries() > 0) {
            System.err.println("export: not in the file" + controlModeNote(found.summaries()));
        }
        if (found.skipped() > 0) {
            System.err.printf("export: %d record%s could not be decoded and were skipped%n", found.skipped(),
                    found.skipped() == 1 ? "" : "s");
        }
        return 0;
    }

    private static String controlModeNote(long summaries) {
        return summaries == 0 ? "" : " (" + summaries + " flow summar" + (summaries == 1 ? "y" : "ies")
                + " of data packets: sensors in --mode control summarise those instead of shipping each header; "
                + "--mode full ships them all)";
    }

    private static long micros(String option, String text) {
        Instant instant = Arguments.parse(() -> TimeArgument.parse(option, text, Instant.now()));
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
    }
}
