package io.streamdrz.cli;

import io.streamdrz.app.StreamdrzConfig;
import io.streamdrz.kafka.EmbeddedKafka;

import org.apache.kafka.streams.StreamsConfig;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code demo}'s and {@code bench}'s world in one process, started in one place: an
 * embedded broker, a configuration pointing at it (topics created, a fresh state
 * directory), and the {@link RunningApp} on it, running. Closing stops the app, the
 * broker, and deletes the state directory.
 */
final class EmbeddedRun implements AutoCloseable {

    /** The app did not reach RUNNING in time. */
    static final class NotRunningException extends RuntimeException {
        NotRunningException(String message) {
            super(message);
        }
    }

    private final EmbeddedKafka kafka;
    private final Path stateDir;
    private final StreamdrzConfig config;
    private final RunningApp running;

    private EmbeddedRun(EmbeddedKafka kafka, Path stateDir, StreamdrzConfig config, RunningApp running) {
        this.kafka = kafka;
        this.stateDir = stateDir;
        this.config = config;
        this.running = running;
    }

    /**
     * Starts everything and waits until the app runs.
     *
     * @param name     the command: application id {@code streamdrz-NAME}, state under {@code ~/.streamdrz/NAME}
     * @param defaults settings of this command, before the user's
     * @param settings the user's {@code -s} settings
     * @throws io.streamdrz.inference.ModelContractException the model files are missing or broken
     * @throws NotRunningException                           the app did not start within two minutes
     */
    static EmbeddedRun start(String name, Map<String, String> defaults, Map<String, String> settings,
                             ModelFlags modelFlags, RunningApp.Metrics metrics, PrintWriter err)
            throws IOException, InterruptedException {
        Path stateDir = stateDirectory(name);
        EmbeddedKafka kafka = null;
        RunningApp running = null;
        try {
            kafka = startQuietly();
            Map<String, String> values = new LinkedHashMap<>();
            values.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            values.put(StreamsConfig.APPLICATION_ID_CONFIG, "streamdrz-" + name);
            values.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            values.put(StreamdrzConfig.TOPICS_CREATE, "true");
            values.putAll(defaults);
            values.putAll(settings);
            modelFlags.addTo(values);
            StreamdrzConfig config = RunningApp.withModelLocated(values, StreamdrzConfig::of);
            running = RunningApp.start(config, metrics, err, "streamdrz " + name);
            if (!running.app().awaitRunning(Duration.ofMinutes(2))) {
                throw new NotRunningException("the streams app did not start (state " + running.app().state() + ")");
            }
            return new EmbeddedRun(kafka, stateDir, config, running);
        } catch (InterruptedException | RuntimeException e) {
            closeAll(running, kafka, stateDir);
            throw e;
        }
    }

    String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    StreamdrzConfig config() {
        return config;
    }

    RunningApp running() {
        return running;
    }

    @Override
    public void close() {
        closeAll(running, kafka, stateDir);
    }

    private static void closeAll(RunningApp running, EmbeddedKafka kafka, Path stateDir) {
        try {
            if (running != null) {
                running.close();
            }
        } finally {
            try {
                if (kafka != null) {
                    kafka.close();
                }
            } finally {
                deleteQuietly(stateDir);
            }
        }
    }

    /**
     * The broker's storage formatter prints its bootstrap records to System.out, which
     * tells a demo user nothing: dropped. (Nothing else prints while the broker starts.)
     */
    private static EmbeddedKafka startQuietly() {
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            return EmbeddedKafka.start();
        } finally {
            System.setOut(stdout);
        }
    }

    /**
     * A fresh state directory, deleted at the end. Under ~/.streamdrz rather than the OS
     * temporary directory, where Kafka Streams warns that the OS may clear it: true, and
     * irrelevant to a run that lasts minutes, but a warning a first-time user cannot
     * place. The temporary directory is the fallback where home is not writable.
     */
    private static Path stateDirectory(String name) throws IOException {
        try {
            Path parent = Files.createDirectories(Path.of(System.getProperty("user.home"), ".streamdrz", name));
            return Files.createTempDirectory(parent, "state-");
        } catch (IOException | SecurityException e) {
            return Files.createTempDirectory("streamdrz-" + name + "-state-");
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temporary directory: the OS cleans it eventually.
        }
    }
}
