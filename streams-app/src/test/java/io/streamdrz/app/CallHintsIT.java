package io.streamdrz.app;

import io.streamdrz.audio.AudioClip;
import io.streamdrz.audio.AudioFileReader;
import io.streamdrz.cli.CliRun;
import io.streamdrz.client.AudioProducer;
import io.streamdrz.client.CallAudio;
import io.streamdrz.recipe.CallDiarizer;
import io.streamdrz.inference.ModelFixtures;
import io.streamdrz.kafka.EmbeddedKafka;
import io.streamdrz.kafka.EmbeddedKafkaExtension;
import io.streamdrz.schema.AudioEncoding;
import io.streamdrz.speakers.CallHints;
import io.streamdrz.speakers.SpeakerFixtures;
import io.streamdrz.topology.DeadLetters;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-call hints from the producer (AudioFrame v3) on a real broker: a speaker cap set on
 * a call's first frame ({@code produce --expected-speakers 1}) reaches the engine (the call comes out exactly as the offline
 * recipe with that cap gives it, while the same audio without the hint has more
 * speakers), and a frame with a malformed hint is dead-lettered with its reason.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class CallHintsIT {

    private static final String PREFIX = "hints-";

    @TempDir
    Path stateDir;

    @Test
    void aCapFromTheProducerReachesTheEngineAndABadHintIsDeadLettered(EmbeddedKafka kafka) throws Exception {
        Pipelines.createTopics(kafka, PREFIX, 2);
        StreamdrzConfig config = StreamdrzConfig.of(Pipelines.settings(kafka, PREFIX, stateDir));
        AudioClip clip = AudioFileReader.read(SpeakerFixtures.call(), null);
        List<String> offlineCapped = Pipelines.rowsOfOffline(
                new CallDiarizer(ModelFixtures.engine(), 1).diarize(clip.atRate(16_000).samples()));

        try (DiarizationEngine engine = DiarizationEngine.load(config);
             DiarizationApp app = DiarizationApp.start(config, engine.inference())) {
            assertTrue(app.awaitRunning(Duration.ofMinutes(1)), "app state " + app.state());
            // the command line's way: produce --expected-speakers 1
            CliRun cli = new CliRun();
            assertEquals(0, cli.run("produce", "--bootstrap-server", kafka.bootstrapServers(),
                    "--set", StreamdrzConfig.TOPIC_AUDIO_IN + "=" + config.audioInTopic(), "--call-id", "capped",
                    "--expected-speakers", "1", SpeakerFixtures.call().toString()), cli.err());
            Pipelines.produce(config, List.of(new CallAudio("free", clip),
                            new CallAudio("bad-hint", new AudioClip(new float[16_000], 16_000), new CallHints(0, null))),
                    new AudioProducer.Options(AudioEncoding.PCM_S16LE, 20, 1, 0, true));
            Pipelines.Output out = Pipelines.readUntilEnded(config, 3, Duration.ofMinutes(5));

            List<String> capped = Pipelines.rowsOfSegments(out.segments().get("capped"));
            assertEquals(offlineCapped, capped, "the call is diarized with the producer's cap of 1");
            assertEquals(List.of("A"), speakers(capped));
            assertTrue(speakers(Pipelines.rowsOfSegments(out.segments().get("free"))).size() >= 2,
                    "without the hint the app's own cap (none) applies");

            ConsumerRecord<byte[], byte[]> dead = firstDeadLetter(config);
            assertEquals("bad-hint", new String(dead.key(), StandardCharsets.UTF_8));
            assertEquals("BAD_HINT", header(dead, DeadLetters.REASON));
            assertEquals("expectedSpeakers is 0; a call has 1..64 speakers", header(dead, DeadLetters.MESSAGE));
        }
    }

    private static List<String> speakers(List<String> rows) {
        return rows.stream().map(r -> r.split(" ")[0]).distinct().sorted().toList();
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
        return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }

    private static ConsumerRecord<byte[], byte[]> firstDeadLetter(StreamdrzConfig config) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config.consumerProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition dlq = new TopicPartition(config.deadLetterTopic(), 0);
            consumer.assign(List.of(dlq));
            consumer.seekToBeginning(List.of(dlq));
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            assertEquals(1, records.size(), "one dead letter");
            return records.get(0);
        }
    }
}
