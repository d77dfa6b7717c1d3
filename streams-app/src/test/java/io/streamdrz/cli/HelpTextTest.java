package io.streamdrz.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The help reads well in an 80-column terminal, and a command that does not exist is an error. */
class HelpTextTest {

    private static final int WIDTH = 80;

    @Test
    void everyHelpFitsEightyColumns() {
        for (String[] args : helpInvocations()) {
            for (String line : help(args).split("\n")) {
                assertTrue(line.length() <= WIDTH, String.join(" ", args) + ": " + line.length() + " columns: " + line);
            }
        }
    }

    @Test
    void theCommandListGivesEachCommandOneWholeLine() {
        String help = help("--help");
        String list = help.substring(help.indexOf("Commands:\n") + "Commands:\n".length());
        list = list.substring(0, list.indexOf("\n\n"));
        Map<String, CommandLine> subcommands = StreamdrzCommand.commandLine().getSubcommands();
        String[] lines = list.split("\n");
        assertEquals(subcommands.size(), lines.length, "one line per command, no wrapped summary:\n" + list);
        for (String line : lines) {
            assertTrue(line.endsWith("."), "a whole sentence, not cut: " + line);
        }
    }

    /** Descriptions given as several strings wrapped twice: picocli breaks after each string. */
    @Test
    void everyDescriptionParagraphIsWholeSentences() {
        for (CommandLine sub : StreamdrzCommand.commandLine().getSubcommands().values()) {
            CommandSpec spec = sub.getCommandSpec();
            for (String paragraph : spec.usageMessage().description()) {
                paragraph = paragraph.replace("%n", "");  // picocli's own help command ends its lines so
                assertTrue(paragraph.endsWith(".") || paragraph.endsWith(".)"),
                        spec.name() + ": a paragraph that ends mid-sentence: " + paragraph);
            }
        }
    }

    @Test
    void usageLinesShowListOptionsPlainly() {
        for (String[] args : helpInvocations()) {
            assertFalse(help(args).contains("...["), String.join(" ", args) + ":\n" + help(args));
        }
    }

    @Test
    void anUnknownCommandIsAnErrorEvenWithHelp() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = StreamdrzCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        assertEquals(CommandLine.ExitCode.USAGE, commandLine.execute("nosuch", "--help"));
        assertTrue(err.toString().contains("'nosuch'"), err.toString());
        assertEquals("", out.toString());
    }

    private static List<String[]> helpInvocations() {
        List<String[]> invocations = new ArrayList<>();
        invocations.add(new String[] {"--help"});
        for (String name : StreamdrzCommand.commandLine().getSubcommands().keySet()) {
            invocations.add(new String[] {name, "--help"});
        }
        return invocations;
    }

    private static String help(String... args) {
        StringWriter out = new StringWriter();
        CommandLine commandLine = StreamdrzCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(out, true));
        commandLine.execute(args);
        return out.toString();
    }
}
