package dev.wirewatch.app.cli;

import dev.wirewatch.processor.config.ProcessorConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * {@code --config} and {@code --print-config} of every command that runs the detectors: the keys, their defaults and
 * checks are the processor's table (ConfigKeys, docs/configuration.md).
 */
public final class DetectorConfigOptions {
    @Option(names = "--config", paramLabel = "FILE",
            description = "config.yaml with detector thresholds and timers (every key with its default: --print-config; what each does: docs/configuration.md).")
    Path file;

    @Option(names = "--print-config", help = true,
            description = "Print the effective detector configuration (config.yaml with every key) and exit.")
    boolean print;

    /** The configuration in effect; empty when {@code --print-config} asked for it and it went to {@code out}. */
    public Optional<ProcessorConfig> loadUnlessPrinted(PrintStream out) {
        ProcessorConfig config = ProcessorConfig.load(file);
        if (print) {
            out.print(config.toYaml());
            return Optional.empty();
        }
        return Optional.of(config);
    }
}
