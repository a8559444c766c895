package dev.wirewatch.app.cli;

import java.util.IllegalFormatException;
import picocli.CommandLine;
import picocli.CommandLine.Help;

/**
 * How every command's --help is laid out: 120 columns, and descriptions wrapped at spaces only (picocli's default
 * wrapping breaks at dots, "ww." / "alerts", and cuts example commands in two). An example ("Example: wirewatch
 * ...") keeps its command on one line of its own, so it can be copied as it stands.
 */
public final class HelpLayout {
    public static final int WIDTH = 120;

    private HelpLayout() {}

    /** Applies the layout to {@code command} and every subcommand under it. */
    public static CommandLine apply(CommandLine command) {
        command.setUsageHelpWidth(WIDTH);
        command.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_DESCRIPTION, HelpLayout::description);
        command.getSubcommands().values().forEach(HelpLayout::apply);
        return command;
    }

    private static String description(Help help) {
        StringBuilder text = new StringBuilder();
        for (String line : help.commandSpec().usageMessage().description()) {
            for (String paragraph : formatted(line).split("\n", -1)) {
                text.append(layout(paragraph));
            }
        }
        return text.toString();
    }

    /** picocli's description lines are format strings ("%n"); a line that is not one is taken as it is. */
    private static String formatted(String line) {
        try {
            return String.format(line);
        } catch (IllegalFormatException notAFormat) {
            return line;
        }
    }

    private static String layout(String paragraph) {
        int example = paragraph.indexOf(": wirewatch ");
        if (paragraph.startsWith("Example") && example > 0 && paragraph.length() > WIDTH) {
            return paragraph.substring(0, example + 1) + "\n  " + paragraph.substring(example + 2) + "\n";
        }
        String indent = paragraph.startsWith("- ") ? "  " : "";
        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder();
        boolean fresh = true;
        for (String word : paragraph.split(" ")) {
            if (!fresh && line.length() + 1 + word.length() > WIDTH) {
                out.append(line).append('\n');
                line.setLength(0);
                line.append(indent);
                fresh = true;
            }
            line.append(fresh ? "" : " ").append(word);
            fresh = false;
        }
        return out.append(line).append('\n').toString();
    }
}
