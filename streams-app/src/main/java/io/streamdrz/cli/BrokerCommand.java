package io.streamdrz.cli;

import io.streamdrz.kafka.StandaloneBroker;

import org.apache.kafka.common.KafkaException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code streamdrz broker}: a single-node KRaft Kafka broker for development, so that
 * {@code run}, {@code produce} and {@code consume} have something to talk to without
 * Docker. Runs until Ctrl-C or SIGTERM, which shut it down cleanly.
 */
@Command(name = "broker",
        mixinStandardHelpOptions = true,
        header = "Run a single-node Kafka broker for development.",
        sortOptions = false,
        description = "Run a single-node Kafka broker for development (KRaft: broker and controller in one "
                + "process) until Ctrl-C. The first start formats the data directory; later starts keep its "
                + "topics. Not for production: one node, no replication, no security.",
        footer = {"", "Examples:",
            "  streamdrz broker",
            "  streamdrz broker --port 9192 --data-dir /tmp/kafka"})
public final class BrokerCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "9092",
            description = "Port for clients (default: ${DEFAULT-VALUE}).")
    private int port;

    @Option(names = "--controller-port", paramLabel = "PORT",
            description = "Port of the KRaft controller (default: --port plus one).")
    private Integer controllerPort;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "localhost",
            description = "Name clients reach it by (default: ${DEFAULT-VALUE}).")
    private String host;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where topics are kept (default: ~/.streamdrz/broker).")
    private Path dataDir;

    @Option(names = {"-s", "--set"}, paramLabel = "KEY=VALUE",
            description = "Any broker setting, by Kafka's name (e.g. log.retention.hours=1); repeatable.")
    private Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (port < 1 || port > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port must be 1 to 65535, not " + port);
        }
        Path dir = dataDir != null ? dataDir : Path.of(System.getProperty("user.home"), ".streamdrz", "broker");
        int controller = controllerPort != null ? controllerPort : port + 1;
        boolean fresh = StandaloneBroker.isNew(dir);
        StandaloneBroker broker;
        try {
            broker = StandaloneBroker.start(new StandaloneBroker.Settings(host, port, controller, dir, settings));
        } catch (KafkaException | UncheckedIOException e) {
            err.println("streamdrz broker: " + e.getMessage());
            return 1;
        }
        Thread hook = new Thread(() -> {
            out.println("streamdrz broker: stopping");
            out.flush();
            broker.close();
            out.println("streamdrz broker: stopped");
            out.flush();
        }, "streamdrz-broker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.printf("streamdrz broker: Kafka listening at %s (data in %s%s); Ctrl-C stops it%n",
                broker.bootstrapServers(), dir.toAbsolutePath(), fresh ? ", formatted now" : "");
        out.flush();
        broker.awaitShutdown();
        return 0;
    }
}
