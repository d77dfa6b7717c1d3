package io.streamdrz.kafka;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A real single-node Kafka cluster inside this JVM: one KRaft node that is both
 * controller and broker, built with Kafka's own {@link KafkaClusterTestKit}. No Docker,
 * no ZooKeeper, a random free port, and its log directories in a temporary directory
 * that {@link #close()} deletes.
 *
 * <p>Used by the integration tests and by the {@code demo} subcommand, which is why it
 * lives in main code. Defaults suit one node: internal topics with one replica and one
 * partition (fast start), transactions enabled for {@code exactly_once_v2}, no initial
 * rebalance delay, and no topic auto-creation so that a misspelt topic fails loudly.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
 *     kafka.createTopic("audio-in", 6);
 *     ... clients use kafka.bootstrapServers() ...
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final long ADMIN_TIMEOUT_SECONDS = 30;

    private final KafkaClusterTestKit cluster;
    private final Path directory;
    private boolean closed;

    private EmbeddedKafka(KafkaClusterTestKit cluster, Path directory) {
        this.cluster = cluster;
        this.directory = directory;
    }

    /** Starts a broker with the default single-node configuration and waits until it serves requests. */
    public static EmbeddedKafka start() {
        return start(Map.of());
    }

    /**
     * Starts a broker and waits until it serves requests.
     *
     * @param brokerConfig broker properties (Kafka's names, e.g. {@code log.retention.ms}) that
     *                     override or add to the single-node defaults
     */
    public static EmbeddedKafka start(Map<String, String> brokerConfig) {
        Path directory;
        try {
            directory = Files.createTempDirectory("streamdrz-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the embedded broker", e);
        }
        KafkaClusterTestKit cluster = null;
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumControllerNodes(1)
                    .setNumBrokerNodes(1)
                    .setBaseDirectory(directory)
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
            Map<String, String> config = new LinkedHashMap<>(singleNodeDefaults());
            config.putAll(brokerConfig);
            config.forEach(builder::setConfigProp);
            cluster = builder.build();
            // As Kafka Streams' own embedded cluster does: the test kit records non-fatal
            // faults and rethrows them from close(), which would turn a logged hiccup
            // during shutdown into a failure of whatever used the broker.
            cluster.nonFatalFaultHandler().setIgnore(true);
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            EmbeddedKafka kafka = new EmbeddedKafka(cluster, directory);
            log.info("Embedded Kafka {} ready at {} (data in {})", nodes.clusterId(), kafka.bootstrapServers(), directory);
            return kafka;
        } catch (Exception e) {
            if (cluster != null) {
                closeQuietly(cluster);
            }
            deleteRecursively(directory);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new KafkaException("cannot start the embedded Kafka broker", e);
        }
    }

    private static Map<String, String> singleNodeDefaults() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("offsets.topic.replication.factor", "1");
        config.put("offsets.topic.num.partitions", "1");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("transaction.state.log.num.partitions", "1");
        config.put("share.coordinator.state.topic.replication.factor", "1");
        config.put("share.coordinator.state.topic.min.isr", "1");
        config.put("group.initial.rebalance.delay.ms", "0");
        config.put("auto.create.topics.enable", "false");
        return config;
    }

    /** {@code host:port} for clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** The minimal client configuration: only {@code bootstrap.servers}. */
    public Map<String, Object> clientConfig() {
        return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    }

    /** A new admin client for this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(clientConfig());
    }

    /** Where the broker keeps its metadata and logs until {@link #close()}. */
    public Path directory() {
        return directory;
    }

    /** Creates a topic with one replica and waits until the controller has committed it. */
    public void createTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of());
    }

    /** Creates a topic with one replica and the given topic configuration (e.g. {@code cleanup.policy}). */
    public void createTopic(String name, int partitions, Map<String, String> topicConfig) {
        NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(topicConfig);
        try (Admin admin = admin()) {
            admin.createTopics(List.of(topic)).all().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while creating topic " + name, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaException("cannot create topic " + name, e);
        }
    }

    /** Stops the broker and deletes its directory. Safe to call more than once. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            cluster.close();
        } catch (Exception e) {
            throw new KafkaException("embedded Kafka broker did not shut down cleanly", e);
        } finally {
            deleteRecursively(directory);
            log.info("Embedded Kafka stopped; deleted {}", directory);
        }
    }

    private static void closeQuietly(KafkaClusterTestKit cluster) {
        try {
            cluster.close();
        } catch (Exception e) {
            log.warn("Embedded Kafka did not shut down cleanly after a failed start", e);
        }
    }

    private static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            log.warn("Could not delete all of {}", directory, e);
        }
    }
}
