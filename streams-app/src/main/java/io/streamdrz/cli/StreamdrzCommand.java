package io.streamdrz.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * The {@code streamdrz} command line: the main class of {@code streamdrz.jar}.
 *
 * <p>Every capability is a subcommand registered here, as ARCHITECTURE.md section 6
 * lists them: {@code run} (the streams app), {@code demo} (embedded broker, app and a
 * call played live), {@code produce} and {@code consume} (audio-in and segments-out from
 * the command line), {@code diarize} (audio files to RTTM, no Kafka), {@code eval} (DER
 * and JER of RTTM files), {@code bench} (load test), {@code broker} (a single-node
 * Kafka for development), and {@code enroll}, {@code speakers} and {@code similar}
 * (voiceprints of known speakers). {@code scripts/streamdrz} runs this jar as {@code streamdrz}.
 *
 * <pre>
 * java -jar streams-app/target/streamdrz.jar --help
 * java -jar streams-app/target/streamdrz.jar --version
 * </pre>
 */
@Command(name = "streamdrz",
        mixinStandardHelpOptions = true,
        versionProvider = BuildVersion.class,
        description = "Live speaker diarization of phone calls as a Kafka Streams application.",
        footer = {"", "streamdrz COMMAND --help tells more about each command."},
        subcommands = {HelpCommand.class, RunCommand.class, DemoCommand.class, ProduceCommand.class,
            ConsumeCommand.class, DiarizeCommand.class, EvalCommand.class, BenchCommand.class, BrokerCommand.class,
            EnrollCommand.class, SpeakersCommand.class, SimilarCommand.class})
public final class StreamdrzCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests call {@code execute} on it instead of {@link #main}. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new StreamdrzCommand());
        commandLine.setExecutionStrategy(StreamdrzCommand::refuseUnknownCommands);
        return commandLine;
    }

    /**
     * picocli lets {@code --help} win over arguments it does not know, so
     * {@code streamdrz nosuch --help} printed the top-level help and exited 0, as if
     * {@code nosuch} existed. An unknown word is an error, help or not.
     */
    private static int refuseUnknownCommands(CommandLine.ParseResult parseResult) {
        if (!parseResult.hasSubcommand() && !parseResult.unmatched().isEmpty()) {
            throw new CommandLine.UnmatchedArgumentException(parseResult.commandSpec().commandLine(),
                    parseResult.unmatched());
        }
        return new CommandLine.RunLast().execute(parseResult);
    }

    /** Runs when no subcommand is given: show what there is rather than silently doing nothing. */
    @Override
    public Integer call() {
        CommandLine commandLine = spec.commandLine();
        commandLine.getErr().println("Missing command.");
        commandLine.usage(commandLine.getErr());
        return CommandLine.ExitCode.USAGE;
    }
}
