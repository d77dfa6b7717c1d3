package io.streamdrz.kafka;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A single-node Kafka broker for development, kept in a directory of its own: one
 * KRaft process that is both controller and broker, on fixed ports, whose topics
 * survive a restart. Unlike {@link EmbeddedKafka} (temporary, random port, deleted on
 * close) it is meant to be started once and used by other processes.
 *
 * <p>The first start formats the directory (what {@code kafka-storage.sh format} does
 * by hand: a new cluster id and {@code meta.properties}); later starts find it
 * formatted and reuse it.
 */
public final class StandaloneBroker implements AutoCloseable {

    /** The node id of the one node; any fixed value would do, it only has to match the voter list. */
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";

    private final KafkaRaftServer server;
    private final String bootstrapServers;

    private StandaloneBroker(KafkaRaftServer server, String bootstrapServers) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    /** Where to listen and keep data, plus broker properties (Kafka's names) that override the defaults. */
    public record Settings(String host, int port, int controllerPort, Path dataDir, Map<String, String> overrides) {
    }

    /**
     * Formats {@code settings.dataDir()} if it has never been formatted, then starts the
     * broker and returns once it has started (it serves requests shortly after).
     */
    public static StandaloneBroker start(Settings settings) {
        KafkaConfig config = new KafkaConfig(properties(settings), false);
        formatIfNew(config, settings.dataDir());
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            server.shutdown();
            throw new KafkaException("cannot start the broker: " + rootMessage(e), e);
        }
        return new StandaloneBroker(server, settings.host() + ":" + settings.port());
    }

    /** True when {@code dataDir} holds no formatted Kafka storage yet. */
    public static boolean isNew(Path dataDir) {
        return !Files.isRegularFile(dataDir.resolve("meta.properties"));
    }

    static Properties properties(Settings settings) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("process.roles", "broker,controller");
        config.put("node.id", Integer.toString(NODE_ID));
        config.put("controller.quorum.voters", NODE_ID + "@" + settings.host() + ":" + settings.controllerPort());
        config.put("controller.listener.names", CONTROLLER_LISTENER);
        config.put("listeners", "PLAINTEXT://:" + settings.port() + "," + CONTROLLER_LISTENER + "://:"
                + settings.controllerPort());
        config.put("advertised.listeners", "PLAINTEXT://" + settings.host() + ":" + settings.port());
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        config.put("log.dirs", settings.dataDir().toAbsolutePath().toString());
        // One node: Kafka's internal topics cannot have more replicas than that.
        config.put("offsets.topic.replication.factor", "1");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("share.coordinator.state.topic.replication.factor", "1");
        config.put("share.coordinator.state.topic.min.isr", "1");
        // Nobody else will join a development group: do not wait 3 s for them.
        config.put("group.initial.rebalance.delay.ms", "0");
        // A misspelt topic should fail, not appear.
        config.put("auto.create.topics.enable", "false");
        config.putAll(settings.overrides());
        Properties properties = new Properties();
        properties.putAll(config);
        return properties;
    }

    private static void formatIfNew(KafkaConfig config, Path dataDir) {
        if (!isNew(dataDir)) {
            return;
        }
        try {
            Files.createDirectories(dataDir);
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .setDirectories(List.of(dataDir.toAbsolutePath().toString()))
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dataDir, e);
        } catch (Exception e) {
            throw new KafkaException("cannot format " + dataDir + ": " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }

    /** {@code host:port} for clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Blocks until the broker has shut down (after {@link #close()}, from another thread). */
    public void awaitShutdown() {
        server.awaitShutdown();
    }

    /** Shuts the broker down cleanly: leaders handed over, logs flushed. */
    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
