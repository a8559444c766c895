package dev.wirewatch.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** docs/commands.md, the command reference, names every subcommand and every option the --help texts have. */
class CommandReferenceTest {
    private static final Path REFERENCE =
            Path.of(System.getProperty("wirewatch.docs", "../docs")).resolve("commands.md");

    @Test
    void everyCommandAndOptionIsInTheReference() throws Exception {
        assertTrue(Files.isRegularFile(REFERENCE), "the command reference: " + REFERENCE.toAbsolutePath());
        String reference = Files.readString(REFERENCE);
        List<String> missing = new ArrayList<>();
        List<CommandLine> commands = new ArrayList<>();
        collect(Main.commandLine(), commands);
        assertTrue(commands.size() > 10, "every subcommand: " + commands.size());
        for (CommandLine command : commands) {
            String name = command.getCommandSpec().qualifiedName(" ").replaceFirst("^wirewatch ?", "");
            if (!name.isEmpty() && !name.equals("help") && !reference.contains("`" + name)) {
                missing.add(name);
            }
            for (OptionSpec option : command.getCommandSpec().options()) {
                if (!option.usageHelp() && !option.versionHelp() && !reference.contains(option.longestName())) {
                    missing.add(name + " " + option.longestName());
                }
            }
        }
        assertEquals(List.of(), missing, "in --help but not in docs/commands.md");
    }

    private static void collect(CommandLine command, List<CommandLine> into) {
        into.add(command);
        command.getSubcommands().values().forEach(sub -> collect(sub, into));
    }
}
