package io.streamdrz.app;

import io.streamdrz.topology.ChunkInference;
import io.streamdrz.topology.DiarizationTopology;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.MissingSourceTopicException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The streams application: the topology of {@link DiarizationTopology} in a
 * {@link KafkaStreams} client configured by {@link StreamdrzConfig}. Reads
 * {@code audio-in}, writes {@code segments-out} and {@code audio-in-dlq} (as configured).
 *
 * <pre>{@code
 * try (DiarizationEngine engine = DiarizationEngine.load(config);
 *      DiarizationApp app = DiarizationApp.start(config, engine.inference())) {
 *     app.awaitRunning(Duration.ofMinutes(1));
 *     ...
 * }
 * }</pre>
 */
public final class DiarizationApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DiarizationApp.class);

    private final KafkaStreams streams;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile String failure;
    private volatile boolean ready;

    private DiarizationApp(KafkaStreams streams) {
        this.streams = streams;
    }

    /**
     * Creates the topics if {@code streamdrz.topics.create} says so, then starts the app.
     * A stream thread that dies of an unexpected error shuts the client down (it will not
     * retry a record that fails every time); {@link #state()} then says so.
     */
    public static DiarizationApp start(StreamdrzConfig config, ChunkInference inference) {
        if (config.createTopics()) {
            createTopics(config);
        } else {
            RequiredTopics.requireExisting(config);
        }
        log.info("configuration (secrets hidden): {}", config.describe());
        Topology topology = DiarizationTopology.build(config.topologyConfig(), inference,
                SpeakersTopic.identification(config), config.liveConfig());
        KafkaStreams streams = new KafkaStreams(topology, config.streamsProperties());
        DiarizationApp app = new DiarizationApp(streams);
        streams.setUncaughtExceptionHandler(e -> {
            app.failed(e, config);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        long startedAt = System.nanoTime();
        streams.setStateListener((now, before) -> {
            app.logTransition(now, startedAt);
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                app.stopped.countDown();
            }
        });
        streams.start();
        log.info("streamdrz {} started against {}: {} -> {} (dead letters: {}; live labels: {}; revised labels: {}), "
                        + "model {}", config.applicationId(), config.bootstrapServers(), config.audioInTopic(),
                config.segmentsOutTopic(), config.deadLetterTopic(), config.liveConfig().enabled()
                        ? config.liveConfig().topic() + " every " + config.liveConfig().hop().toMillis() + " ms" : "off",
                config.segmentsRevisedTopic() == null ? "off" : config.segmentsRevisedTopic(), inference.modelId());
        return app;
    }

    /**
     * Records and logs why a stream thread died. Failures that a retry cannot fix and an
     * operator can (credentials, missing topics) are one line without a stack trace.
     */
    private void failed(Throwable e, StreamdrzConfig config) {
        Throwable security = securityCause(e);
        if (security != null) {
            // A wrong password fails every retry the same way: one line says what to fix.
            failure = (security instanceof AuthenticationException ? "authentication" : "authorization")
                    + " failed at " + config.bootstrapServers() + ": " + security.getMessage()
                    + " (check security.protocol, sasl.* and ssl.* settings)";
            log.error("{}; shutting this instance down", failure);
        } else if (missingTopic(e) != null) {
            // Deleted while running: the same one line as at start-up.
            List<String> missing = RequiredTopics.missing(config);
            failure = missing.isEmpty() ? "a source topic is missing: " + missingTopic(e).getMessage()
                    : new RequiredTopics.MissingTopicsException(missing, config.bootstrapServers()).getMessage();
            log.error("{}; shutting this instance down", failure);
        } else {
            failure = "a stream thread failed: " + e;
            log.error("a stream thread failed; shutting this instance down", e);
        }
    }

    /**
     * The states an operator asks about, once each: RUNNING is first reached when the
     * stream threads have their partitions (readiness), later RUNNING states follow a
     * rebalance and are Kafka's business.
     */
    private void logTransition(KafkaStreams.State now, long startedAt) {
        if (now == KafkaStreams.State.RUNNING && !ready) {
            ready = true;
            log.info("ready: stream threads running, {} s after start",
                    String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - startedAt) / 1e9));
        } else if (now == KafkaStreams.State.PENDING_SHUTDOWN) {
            log.info("stopping: finishing the records in hand and committing");
        } else if (now == KafkaStreams.State.NOT_RUNNING) {
            log.info("stopped");
        }
    }

    private static MissingSourceTopicException missingTopic(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof MissingSourceTopicException missing) {
                return missing;
            }
        }
        return null;
    }

    private static Throwable securityCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuthenticationException || t instanceof AuthorizationException) {
                return t;
            }
        }
        return null;
    }

    /** Creates audio-in, segments-out and the dead-letter topic where they are missing. */
    public static void createTopics(StreamdrzConfig config) {
        Optional<Short> replication = config.topicReplicationFactor() < 0 ? Optional.empty()
                : Optional.of(config.topicReplicationFactor());
        List<NewTopic> topics = new ArrayList<>();
        for (String name : config.appTopics()) {
            topics.add(new NewTopic(name, Optional.of(config.topicPartitions()), replication));
        }
        if (!config.speakersTopic().isEmpty()) {
            topics.add(SpeakersTopic.newTopic(config.speakersTopic(), replication));
        }
        try (Admin admin = Admin.create(config.adminProperties())) {
            for (NewTopic topic : topics) {
                try {
                    admin.createTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
                    log.info("created topic {} ({} partitions)", topic.name(), config.topicPartitions());
                } catch (ExecutionException e) {
                    Throwable security = securityCause(e.getCause());
                    if (security != null) {
                        throw new KafkaException("cannot create topic " + topic.name() + " at "
                                + config.bootstrapServers() + ": " + security.getMessage()
                                + " (check security.protocol, sasl.* and ssl.* settings)", e);
                    }
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new KafkaException("cannot create topic " + topic.name() + ": " + e.getCause(), e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new KafkaException("timed out creating topics at " + config.bootstrapServers(), e);
        }
    }

    public KafkaStreams streams() {
        return streams;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Why the app shut itself down (one line), or empty while it has not failed. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /** Waits until the app processes records; false if it failed or the time ran out first. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            KafkaStreams.State state = streams.state();
            if (state == KafkaStreams.State.RUNNING) {
                return true;
            }
            if (!state.isRunningOrRebalancing() && state != KafkaStreams.State.CREATED) {
                return false;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** Waits until the app has stopped: closed, or shut down by a failure. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /**
     * Stops processing, committing what was processed, and leaves the consumer group.
     * Kafka Streams by default stays in the group on close, so the partitions of a
     * stopped instance wait for its session to time out (45 s) before anyone, a restarted
     * instance included, may take them: that was the 40 s of 503 on /readyz after a restart.
     */
    @Override
    public void close() {
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
    }
}
