package dev.wirewatch.app.cli;

import dev.wirewatch.app.analyze.Analysis;
import dev.wirewatch.app.console.ConsoleServer;
import dev.wirewatch.app.analyze.CaptureInput;
import dev.wirewatch.processor.config.ProcessorConfig;
import dev.wirewatch.processor.network.NetworkTopology;
import dev.wirewatch.record.Alert;
import dev.wirewatch.record.Severity;
import dev.wirewatch.sensor.emit.EmissionMode;
import dev.wirewatch.sink.AlertSubject;
import dev.wirewatch.sink.output.AlertFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Analyses the bundled two-sided captures of every seed case (deploy/samples) through an embedded Kafka broker "
                + "and prints the findings case by case: the title, what was found, and the hint. Ends with one line per case.",
                "A case is a folder with topology.yaml, README.md (its first heading is the title) and one HOST.pcap per monitored host (HOST@IFACE.pcap per interface where it captures several)."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--samples", paramLabel = "DIR", description = "Folder of cases (default: deploy/samples of this installation).")
    Path samples;

    @Option(names = "--all", description = "Also show alerts of severity info.")
    boolean all;

    @Option(names = "--console", description = "Also serve the web console on 127.0.0.1 (--console-port): the findings appear there live as each case is analysed, with each flow's ladder; it keeps serving after the summary until Ctrl-C.")
    boolean console;

    @Option(names = "--console-port", defaultValue = "8080", paramLabel = "PORT", description = "The console's port (default: ${DEFAULT-VALUE}; 0: any free one).")
    int consolePort;

    @Override
    public Integer call() {
        Path folder = samples != null ? samples : Installation.home().resolve("deploy/samples");
        List<Path> cases = cases(folder);
        if (cases.isEmpty()) {
            throw new UsageException(folder + ": no cases (folders with topology.yaml)");
        }
        PrintStream out = System.out;
        out.println("wirewatch demo: " + cases.size() + " cases from " + folder);
        List<String> summary = new ArrayList<>();
        int width = cases.stream().mapToInt(dir -> dir.getFileName().toString().length()).max().orElse(0);
        try (KafkaEndpoint endpoint = KafkaEndpoint.open(new KafkaOptions(), System.err);
             ConsoleServer server = console ? DemoConsole.start(endpoint.clientConfig(), consolePort, out) : null) {
            for (Path dir : cases) {
                List<CaptureInput> captures = CaptureInput.folder(dir);
                out.println();
                out.println("== " + title(dir) + "  (" + dir.getFileName() + ")");
                out.println("   captures: " + captures.stream().map(c -> c.host() + "=" + c.file().getFileName())
                        .collect(Collectors.joining(", ")));
                List<Alert> alerts = new Analysis(endpoint.clientConfig(), EmissionMode.CONTROL, Quiet.STREAM)
                        .run(captures, NetworkTopology.load(dir.resolve("topology.yaml")), ProcessorConfig.DEFAULTS);
                List<Alert> shown = alerts.stream()
                        .filter(alert -> all || alert.getSeverity().ordinal() >= Severity.warning.ordinal()).toList();
                if (shown.isEmpty()) {
                    out.println("   no finding of severity warning or above");
                }
                shown.forEach(alert -> out.print(indent(AlertFormat.TEXT.render(alert))));
                summary.add(String.format("  %-" + width + "s %s", dir.getFileName(), shown.isEmpty()
                        ? "healthy: no finding" : summarise(shown)));
            }
            out.println();
            out.println("== Summary");
            summary.forEach(out::println);
            if (server != null) {
                DemoConsole.serveUntilStopped(server, out);
            }
        }
        return 0;
    }

    /** One line per case: each distinct finding once, with how many alerts said it. */
    private static String summarise(List<Alert> alerts) {
        java.util.Map<String, Long> counted = alerts.stream().collect(Collectors.groupingBy(DemoCommand::oneLine,
                java.util.LinkedHashMap::new, Collectors.counting()));
        return counted.entrySet().stream().map(entry -> (entry.getValue() > 1 ? entry.getValue() + "x " : "") + entry.getKey())
                .collect(Collectors.joining("; "));
    }

    static String oneLine(Alert alert) {
        StringBuilder line = new StringBuilder(alert.getType());
        if (alert.getCause() != null) {
            line.append(" (").append(alert.getCause()).append(')');
        }
        String subject = AlertSubject.named(alert);
        if (subject != null) {
            line.append(' ').append(subject);
        }
        if (alert.getMissingAt() != null && !alert.getMissingAt().equals(alert.getHost())) {
            line.append(", missing at ").append(alert.getMissingAt());
        }
        if (alert.getHost() != null) {
            line.append(" on ").append(alert.getHost());
        }
        if (alert.getAcceptingPorts() != null && !alert.getAcceptingPorts().isEmpty()) {
            line.append(", accepting_ports ").append(alert.getAcceptingPorts());
        }
        return line.toString();
    }

    private static List<Path> cases(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new UsageException(folder + ": no such folder (pass --samples DIR)");
        }
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(dir -> Files.isRegularFile(dir.resolve("topology.yaml"))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String title(Path dir) {
        try (Stream<String> lines = Files.lines(dir.resolve("README.md"))) {
            return lines.filter(line -> line.startsWith("#")).findFirst().map(line -> line.replaceFirst("^#+\\s*", ""))
                    .orElse(dir.getFileName().toString());
        } catch (IOException e) {
            return dir.getFileName().toString();
        }
    }

    private static String indent(String block) {
        return block.lines().map(line -> "   " + line).collect(Collectors.joining("\n", "", "\n"));
    }
}
