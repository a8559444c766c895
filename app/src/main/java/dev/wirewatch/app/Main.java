package dev.wirewatch.app;

import dev.wirewatch.app.cli.AlertsCommand;
import dev.wirewatch.app.cli.AnalyzeCommand;
import dev.wirewatch.app.cli.BenchCommand;
import dev.wirewatch.app.cli.BrokerCommand;
import dev.wirewatch.app.cli.ConsoleCommand;
import dev.wirewatch.app.cli.DemoCommand;
import dev.wirewatch.app.cli.ExportCommand;
import dev.wirewatch.app.cli.HelpLayout;
import dev.wirewatch.app.cli.ProcessorCommand;
import dev.wirewatch.app.cli.ReplayCommand;
import dev.wirewatch.app.cli.SensorCommand;
import dev.wirewatch.app.cli.SinkCommand;
import dev.wirewatch.app.cli.StandaloneCommand;
import dev.wirewatch.app.cli.StatusCommand;
import dev.wirewatch.app.cli.UsageException;
import dev.wirewatch.processor.config.ConfigException;
import dev.wirewatch.schemas.RecordCodec;
import dev.wirewatch.sensor.capture.CaptureFileException;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

@Command(name = "wirewatch", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Streaming packet monitor: compares what several hosts captured of the same flows, through Kafka, "
                + "and says where packets were lost and why.", "Start with: wirewatch demo"},
        subcommands = {DemoCommand.class, AnalyzeCommand.class, StandaloneCommand.class, SensorCommand.class, ProcessorCommand.class, SinkCommand.class,
                StatusCommand.class, AlertsCommand.class, ConsoleCommand.class, ReplayCommand.class, ExportCommand.class, BrokerCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    public static final int EXIT_USAGE = 2;
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    /** Every command takes it, before or after its name: wirewatch's own log lines at this level and above. */
    @Option(names = "--log-level", scope = ScopeType.INHERIT, paramLabel = "LEVEL",
            description = "wirewatch's own log: error, warn, info (default) or debug; libraries say only errors")
    void logLevel(String level) {
        Level parsed = Level.toLevel(level.toUpperCase(Locale.ROOT), null);
        if (parsed == null || !List.of(Level.ERROR, Level.WARN, Level.INFO, Level.DEBUG).contains(parsed)) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--log-level: error, warn, info or debug, not '" + level + "'");
        }
        Configurator.setLevel("dev.wirewatch", parsed);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        RecordCodec.trustGeneratedClasses();
        CommandLine commandLine = commandLine();
        commandLine.setExecutionExceptionHandler((error, cmd, parsed) -> {
            if (error instanceof UsageException || error instanceof ConfigException || error instanceof CaptureFileException) {
                cmd.getErr().println("wirewatch " + cmd.getCommandName() + ": " + error.getMessage());
                return EXIT_USAGE;
            }
            Throwable refusal = kafkaRefusal(error);
            if (refusal != null) { // a wrong password or a missing ACL: the operator's to fix, no stack trace helps
                cmd.getErr().println("wirewatch " + cmd.getCommandName() + ": Kafka refused this client: "
                        + refusal.getMessage() + " (check the user, password and ACLs of --kafka-config)");
                return EXIT_USAGE;
            }
            LOG.error("wirewatch {} failed", cmd.getCommandName(), error);
            cmd.getErr().println("wirewatch " + cmd.getCommandName() + ": failed: " + error.getMessage());
            return 1;
        });
        return commandLine.execute(args);
    }

    private static Throwable kafkaRefusal(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof AuthenticationException || cause instanceof AuthorizationException) {
                return cause;
            }
        }
        return null;
    }

    /** The command line with every subcommand and the help layout; {@link #run} executes it. */
    public static CommandLine commandLine() {
        return HelpLayout.apply(new CommandLine(new Main()));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"wirewatch " + (version == null ? "development build" : version)};
        }
    }
}
