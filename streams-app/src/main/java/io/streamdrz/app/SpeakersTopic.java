package io.streamdrz.app;

import io.streamdrz.topology.IdentificationConfig;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The compacted topic of enrolled voiceprints ({@code streamdrz.topic.speakers}). Optional
 * for the app: without it nobody is identified, and a deployment from before enrolment
 * existed runs as it did. Compacted, so the topic keeps each speaker's latest print and
 * a tombstone removes the speaker for good once the log cleaner has run.
 */
public final class SpeakersTopic {

    private static final Logger log = LoggerFactory.getLogger(SpeakersTopic.class);

    private SpeakersTopic() {
    }

    /** The topic as {@code --create-topics} and {@code enroll} create it: one partition, compacted. */
    public static NewTopic newTopic(String name, Optional<Short> replication) {
        return new NewTopic(name, Optional.of(1), replication)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    }

    /** Identification for the app: on if the speakers topic is configured and exists, else off with one log line. */
    static IdentificationConfig identification(StreamdrzConfig config) {
        String topic = config.speakersTopic();
        if (topic.isEmpty()) {
            log.info("speakers by name: off (streamdrz.topic.speakers is empty)");
            return IdentificationConfig.NONE;
        }
        if (!exists(config, topic)) {
            log.warn("speakers by name: off: topic {} does not exist at {} (create it with streamdrz enroll or "
                    + "--create-topics, then restart)", topic, config.bootstrapServers());
            return IdentificationConfig.NONE;
        }
        log.info("speakers by name: voiceprints from {} (threshold {})", topic,
                config.speakersThreshold() == null ? "the model's" : config.speakersThreshold());
        return new IdentificationConfig(topic, config.speakersThreshold());
    }

    /** Creates the topic unless it exists. */
    public static void ensure(StreamdrzConfig config) {
        Optional<Short> replication = config.topicReplicationFactor() < 0 ? Optional.empty()
                : Optional.of(config.topicReplicationFactor());
        try (Admin admin = Admin.create(config.adminProperties())) {
            admin.createTopics(List.of(newTopic(config.speakersTopic(), replication))).all().get(60, TimeUnit.SECONDS);
            log.info("created topic {} (compacted)", config.speakersTopic());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new KafkaException("cannot create topic " + config.speakersTopic() + " at "
                        + config.bootstrapServers() + ": " + e.getCause().getMessage(), e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while creating " + config.speakersTopic(), e);
        } catch (TimeoutException e) {
            throw new KafkaException("no answer from Kafka at " + config.bootstrapServers() + " within 60 s", e);
        }
    }

    private static boolean exists(StreamdrzConfig config, String topic) {
        Admin admin = Admin.create(config.adminProperties());
        try {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic);
        } catch (ExecutionException | TimeoutException e) {
            // the app's own start-up reports an unreachable or refusing cluster; here: off
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            admin.close(Duration.ofSeconds(1));
        }
    }
}
