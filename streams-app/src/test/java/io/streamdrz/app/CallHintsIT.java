package io.streamdrz.app;

import io.streamdrz.audio.AudioClip;
import io.streamdrz.audio.AudioFileReader;
import io.streamdrz.client.AudioProducer;
import io.streamdrz.client.CallAudio;
import io.streamdrz.inference.CallDiarizer;
import io.streamdrz.inference.ModelFixtures;
import io.streamdrz.kafka.EmbeddedKafka;
import io.streamdrz.kafka.EmbeddedKafkaExtension;
import io.streamdrz.schema.AudioEncoding;
import io.streamdrz.schema.AudioFrame;
import io.streamdrz.schema.AudioFrameSerde;
import io.streamdrz.speakers.SpeakerFixtures;
import io.streamdrz.topology.DeadLetters;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-call hints from the producer (AudioFrame v3) on a real broker: a speaker cap set on
 * a call's first frame reaches the engine (the call comes out exactly as the offline
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
            produce(config, new CallAudio("capped", clip), f -> f.setExpectedSpeakers(1));
            produce(config, new CallAudio("free", clip), f -> { });
            produce(config, new CallAudio("bad-hint", new AudioClip(new float[16_000], 16_000)),
                    f -> f.setExpectedSpeakers(0));
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

    /** Plays a call as fast as possible, {@code hint} applied to its first frame before it is sent. */
    @SuppressWarnings("unchecked")
    private static void produce(StreamdrzConfig config, CallAudio call, Consumer<AudioFrame> hint) throws Exception {
        try (KafkaProducer<String, AudioFrame> real = new KafkaProducer<>(config.producerProperties(),
                new StringSerializer(), new AudioFrameSerde())) {
            Producer<String, AudioFrame> hinting = (Producer<String, AudioFrame>) Proxy.newProxyInstance(
                    CallHintsIT.class.getClassLoader(), new Class<?>[] {Producer.class}, (proxy, method, args) -> {
                        if (method.getName().equals("send") && args[0] instanceof ProducerRecord<?, ?> r
                                && r.value() instanceof AudioFrame f && f.getSequenceNumber() == 0) {
                            hint.accept(f);
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            AudioProducer.produce(hinting, config.audioInTopic(), List.of(call),
                    new AudioProducer.Options(AudioEncoding.PCM_S16LE, 20, 1, 0, true), f -> { });
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
