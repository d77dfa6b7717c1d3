package io.streamdrz.kafka;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.JaasUtils;
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

    /** The SASL/PLAIN user of {@link #startWithSaslPlain}: a super user, allowed everything. */
    public static final String SASL_USER = JaasUtils.KAFKA_PLAIN_ADMIN;
    public static final String SASL_PASSWORD = JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD;

    private final KafkaClusterTestKit cluster;
    private final Path directory;
    private final boolean sasl;
    private boolean closed;

    private EmbeddedKafka(KafkaClusterTestKit cluster, Path directory, boolean sasl) {
        this.cluster = cluster;
        this.directory = directory;
        this.sasl = sasl;
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
        return start(brokerConfig, false);
    }

    /**
     * Starts a broker whose listeners (client and controller) speak SASL_PLAINTEXT with
     * mechanism PLAIN and an ACL authorizer that allows nothing but the super user
     * {@value #SASL_USER} (password {@link #SASL_PASSWORD}): clients need
     * {@link #clientConfig()}'s security settings. Sets the JVM's JAAS configuration
     * ({@code java.security.auth.login.config}) for the broker's side.
     */
    public static EmbeddedKafka startWithSaslPlain(Map<String, String> brokerConfig) {
        return start(brokerConfig, true);
    }

    /** The {@code sasl.jaas.config} value for a PLAIN login. */
    public static String plainJaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    private static EmbeddedKafka start(Map<String, String> brokerConfig, boolean sasl) {
        Path directory;
        try {
            directory = Files.createTempDirectory("streamdrz-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the embedded broker", e);
        }
        KafkaClusterTestKit cluster = null;
        try {
            TestKitNodes.Builder nodesBuilder = new TestKitNodes.Builder();
            if (sasl) {
                nodesBuilder.setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                        .setControllerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT);
            }
            TestKitNodes nodes = nodesBuilder
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
            EmbeddedKafka kafka = new EmbeddedKafka(cluster, directory, sasl);
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

    /**
     * The minimal client configuration: {@code bootstrap.servers}, and for a SASL broker
     * the security settings of its super user.
     */
    public Map<String, Object> clientConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        if (sasl) {
            config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, SecurityProtocol.SASL_PLAINTEXT.name);
            config.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
            config.put(SaslConfigs.SASL_JAAS_CONFIG, plainJaasConfig(SASL_USER, SASL_PASSWORD));
        }
        return config;
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
