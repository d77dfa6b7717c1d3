package io.streamdrz.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every subcommand answers --help, and the top-level help lists it. */
class SubcommandHelpTest {

    @ParameterizedTest
    @ValueSource(strings = {"run", "demo", "produce", "consume", "diarize", "eval", "bench", "broker", "enroll",
        "speakers", "similar"})
    void eachSubcommandHasHelp(String name) {
        StringWriter out = new StringWriter();
        CommandLine commandLine = StreamdrzCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        assertEquals(0, commandLine.execute(name, "--help"));
        assertTrue(out.toString().contains("Usage: streamdrz " + name), out.toString());

        StringWriter top = new StringWriter();
        CommandLine again = StreamdrzCommand.commandLine();
        again.setOut(new PrintWriter(top, true));
        again.execute("--help");
        assertTrue(top.toString().contains("  " + name + " "), top.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "produce", "consume", "enroll", "speakers", "similar"})
    void kafkaCommandsTakeTheSharedConfigurationOptions(String name) {
        StringWriter out = new StringWriter();
        CommandLine commandLine = StreamdrzCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.execute(name, "--help");
        for (String option : new String[] {"--config", "--bootstrap-server", "--set"}) {
            assertTrue(out.toString().contains(option), name + " lacks " + option + ": " + out);
        }
    }
}
