package io.streamdrz.kafka;

import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * {@link AudioInRoundTripContract} against Kafka in Docker (Testcontainers), to show the
 * in-process broker is no special case. Reported as skipped where there is no Docker
 * engine. The image is {@code apache/kafka} at the Kafka version of the build, or the
 * system property {@code streamdrz.kafkaImage}.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerAudioInRoundTripIT extends AudioInRoundTripContract {

    @Container
    private static final KafkaContainer KAFKA = new KafkaContainer(
            DockerImageName.parse(System.getProperty("streamdrz.kafkaImage", "apache/kafka:4.3.1")));

    @Override
    String bootstrapServers() {
        return KAFKA.getBootstrapServers();
    }
}
