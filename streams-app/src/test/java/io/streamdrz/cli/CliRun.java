package io.streamdrz.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** streamdrz commands run in this JVM, with what they print kept as text (it adds up over runs). */
public final class CliRun {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** Runs one command line; its exit code. */
    public int run(String... args) {
        CommandLine cl = StreamdrzCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    public String out() {
        return out.toString();
    }

    public String err() {
        return err.toString();
    }

    /** Forgets what was printed to stdout so far. */
    public void clearOut() {
        out.getBuffer().setLength(0);
    }
}
