package io.streamdrz.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamdrzCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine commandLine = StreamdrzCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void helpListsTheSubcommands() {
        assertEquals(0, run("--help"));
        String help = out.toString();
        assertTrue(help.contains("Usage: streamdrz"), help);
        assertTrue(help.contains("Commands:"), help);
        assertTrue(help.contains("help"), help);
    }

    @Test
    void versionNamesTheLibraries() {
        assertEquals(0, run("--version"));
        String version = out.toString();
        assertTrue(version.startsWith("streamdrz 0."), version);
        assertTrue(version.contains("Kafka 4.3.1"), version);
        assertTrue(version.contains("Avro 1.12.1"), version);
        assertTrue(version.contains("ONNX Runtime 1.29.0"), version);
        assertTrue(!version.contains("${"), "unfiltered build property: " + version);
    }

    @Test
    void noCommandIsAUsageError() {
        assertEquals(CommandLine.ExitCode.USAGE, run());
        assertTrue(err.toString().contains("Missing command"), err.toString());
        assertTrue(err.toString().contains("Usage: streamdrz"), err.toString());
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        assertEquals(CommandLine.ExitCode.USAGE, run("frobnicate"));
        assertTrue(err.toString().contains("frobnicate"), err.toString());
    }
}
