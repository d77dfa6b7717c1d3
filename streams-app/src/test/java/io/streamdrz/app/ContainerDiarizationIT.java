package io.streamdrz.app;

import io.streamdrz.client.AudioProducer;
import io.streamdrz.client.CallAudio;
import io.streamdrz.inference.ModelFixtures;
import io.streamdrz.schema.AudioEncoding;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end against Kafka in Docker (Testcontainers, the {@code apache/kafka} image of
 * the build's Kafka version, or {@code -Dstreamdrz.kafkaImage}): the app in this JVM,
 * with the real topology and engine, diarizes a fixture call and its segments and
 * end-of-call record arrive on {@code segments-out}, the same as offline. Reported as
 * skipped where there is no Docker engine.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerDiarizationIT {

    private static final String PREFIX = "container-";

    @Container
    private static final KafkaContainer KAFKA = new KafkaContainer(
            DockerImageName.parse(System.getProperty("streamdrz.kafkaImage", "apache/kafka:4.3.1")));

    @TempDir
    Path stateDir;

    @Test
    void aCallThroughKafkaInDockerIsDiarized() throws Exception {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("bootstrap.servers", KAFKA.getBootstrapServers());
        s.put("application.id", PREFIX + "app");
        s.put("state.dir", stateDir.toString());
        s.put("commit.interval.ms", "100");
        // One broker: the transaction log and changelogs cannot have three replicas.
        s.put("replication.factor", "1");
        s.put(StreamdrzConfig.TOPIC_AUDIO_IN, PREFIX + "audio-in");
        s.put(StreamdrzConfig.TOPIC_SEGMENTS_OUT, PREFIX + "segments-out");
        s.put(StreamdrzConfig.TOPIC_DEAD_LETTER, PREFIX + "audio-in-dlq");
        s.put(StreamdrzConfig.MODEL_PATH, ModelFixtures.modelPrefix().toString());
        StreamdrzConfig config = StreamdrzConfig.of(s);
        try (Admin admin = Admin.create(config.adminProperties())) {
            admin.createTopics(List.of(new NewTopic(config.audioInTopic(), 2, (short) 1),
                    new NewTopic(config.segmentsOutTopic(), 2, (short) 1),
                    new NewTopic(config.deadLetterTopic(), 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }

        CallAudio call = Pipelines.fixtureCall("call-0", "docker-call");
        List<String> offline = Pipelines.rowsOfOffline(Pipelines.offline(call.audio().atRate(16_000).samples()));
        try (DiarizationEngine engine = DiarizationEngine.load(config);
             DiarizationApp app = DiarizationApp.start(config, engine.inference())) {
            assertTrue(app.awaitRunning(Duration.ofMinutes(2)), "app state " + app.state());
            Pipelines.produce(config, List.of(call), new AudioProducer.Options(AudioEncoding.PCM_S16LE, 20, 1, 0, true));
            Pipelines.Output out = Pipelines.readUntilEnded(config, 1, Duration.ofMinutes(3));
            assertEquals(List.of("END_OF_STREAM"), out.ends().get("docker-call"));
            assertFalse(out.segments().getOrDefault("docker-call", List.of()).isEmpty(), "segments arrive");
            assertEquals(offline, Pipelines.rowsOfSegments(out.segments().get("docker-call")),
                    "the same segments as offline");
        }
    }
}
