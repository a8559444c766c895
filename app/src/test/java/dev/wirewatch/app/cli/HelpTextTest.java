package dev.wirewatch.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wirewatch.app.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The README's --print-config commands work as written; no --help line of any command breaks a word or an example. */
class HelpTextTest {
    private static final Path README = Path.of(System.getProperty("wirewatch.readme", "../README.md"));

    @Test
    void theReadmesPrintConfigCommandsWorkAsWritten() throws Exception {
        Matcher commands = Pattern.compile("`\\./wirewatch ([^`]*--print-config[^`]*)`").matcher(Files.readString(README));
        int found = 0;
        while (commands.find()) {
            found++;
            String[] args = commands.group(1).trim().split("\\s+");
            PrintStream out = System.out;
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            ByteArrayOutputStream stderr = new ByteArrayOutputStream();
            PrintStream err = System.err;
            int code;
            try {
                System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
                System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
                code = Main.run(args);
            } finally {
                System.setOut(out);
                System.setErr(err);
            }
            assertEquals(0, code, commands.group() + ": " + stderr.toString(StandardCharsets.UTF_8));
            assertTrue(stdout.toString(StandardCharsets.UTF_8).contains("syn-attempt-window"),
                    commands.group() + " prints the configuration: " + stdout);
        }
        assertTrue(found > 0, "the README shows --print-config");
    }

    @Test
    void noHelpLineBreaksAWordOrAnExample() {
        List<CommandLine> all = new ArrayList<>();
        collect(Main.commandLine(), all);
        assertTrue(all.size() > 10, "every subcommand: " + all.size());
        for (CommandLine command : all) {
            String usage = command.getUsageMessage(CommandLine.Help.Ansi.OFF);
            String name = command.getCommandSpec().qualifiedName();
            Set<String> words = new HashSet<>();
            List<String> sources = new ArrayList<>(Arrays.asList(command.getCommandSpec().usageMessage().description()));
            sources.addAll(Arrays.asList(command.getCommandSpec().usageMessage().footer()));
            command.getCommandSpec().options().forEach(option -> sources.addAll(Arrays.asList(option.description())));
            sources.forEach(text -> words.addAll(Arrays.asList(text.split("\\s+"))));

            List<String> lines = usage.lines().toList();
            for (int i = 0; i + 1 < lines.size(); i++) {
                String[] before = lines.get(i).trim().split("\\s+");
                String[] after = lines.get(i + 1).trim().split("\\s+");
                String last = before[before.length - 1];
                String first = after[0];
                boolean broken = !last.isEmpty() && !first.isEmpty() && words.contains(last + first)
                        && !words.contains(last) && !first.startsWith("-");
                assertFalse(broken, name + " --help breaks '" + last + first + "':\n" + lines.get(i) + "\n" + lines.get(i + 1));
                assertTrue(lines.get(i).length() <= HelpLayout.WIDTH || lines.get(i).trim().startsWith("wirewatch "),
                        name + " --help line longer than " + HelpLayout.WIDTH + ": " + lines.get(i));
            }
            for (String source : sources) {
                Matcher example = Pattern.compile("(?:^Example[^:]*: |^ +)(wirewatch .*)$").matcher(source);
                if (example.find()) {
                    String wanted = example.group(1);
                    assertTrue(lines.stream().anyMatch(line -> line.contains(wanted)),
                            name + " --help shows the example on one line: " + wanted + "\n" + usage);
                }
            }
        }
    }

    private static void collect(CommandLine command, List<CommandLine> all) {
        all.add(command);
        command.getSubcommands().values().forEach(sub -> collect(sub, all));
    }
}
