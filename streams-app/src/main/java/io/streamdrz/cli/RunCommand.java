package io.streamdrz.cli;

import io.streamdrz.app.DiarizationApp;
import io.streamdrz.app.StreamdrzConfig;
import io.streamdrz.inference.ModelContractException;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code streamdrz run}: the streams app against a configured cluster, until stopped
 * (Ctrl-C / SIGTERM close it cleanly, committing what was processed).
 */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        header = "Run the streams app against a Kafka cluster.",
        sortOptions = false,
        description = {
            "Run the streams app: AudioFrame records from audio-in in, SpeakerSegment records to "
                + "segments-out, unusable records to audio-in-dlq. Runs until stopped (Ctrl-C). Several instances "
                + "with the same application.id share the work, one call per partition. Topics are not created "
                + "unless asked (--create-topics or streamdrz.topics.create=true)."},
        footer = {"", "Examples:",
            "  streamdrz run --bootstrap-server kafka:9092 --create-topics",
            "  STREAMDRZ_BOOTSTRAP_SERVERS=kafka:9092 streamdrz run --config streamdrz.properties",
            "  streamdrz run -s num.stream.threads=4 -s streamdrz.model.device=cuda"})
public final class RunCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private KafkaOptions kafka;

    @Mixin
    private ModelFlags modelFlags;

    @Option(names = "--create-topics", description = "Create audio-in, segments-out and audio-in-dlq if missing "
            + "(streamdrz.topics.create=true), with streamdrz.topics.partitions partitions.")
    private boolean createTopics;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        Map<String, String> flags = new LinkedHashMap<>();
        modelFlags.addTo(flags);
        if (createTopics) {
            flags.put(StreamdrzConfig.TOPICS_CREATE, "true");
        }
        StreamdrzConfig config;
        try {
            config = RunningApp.withModelLocated(flags, kafka::load);
        } catch (ConfigException e) {
            err.println("streamdrz run: " + e.getMessage());
            return 2;
        }
        RunningApp running;
        try {
            running = RunningApp.start(config, RunningApp.Metrics.REQUIRED, err, "streamdrz run");
        } catch (ModelContractException | KafkaException e) {
            err.println("streamdrz run: " + e.getMessage());
            return 1;
        } catch (UncheckedIOException e) {
            err.println("streamdrz run: " + e.getMessage() + " (streamdrz.metrics.port; -1 turns it off)");
            return 1;
        }
        DiarizationApp app = running.app();
        Thread hook = new Thread(running::close, "streamdrz-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        app.awaitStopped();
        boolean failed = app.state() == KafkaStreams.State.ERROR;
        if (failed) {
            err.println("streamdrz run: stopped: " + app.failure().orElse("the Kafka Streams client failed"));
            err.flush();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
            running.close();
        } catch (IllegalStateException shuttingDown) {
            // The JVM is already exiting: the hook does the closing.
        }
        return failed ? 1 : 0;
    }
}
