package io.streamdrz.app;

import io.streamdrz.kafka.EmbeddedKafka;
import io.streamdrz.kafka.EmbeddedKafkaExtension;
import io.streamdrz.schema.AudioEncoding;
import io.streamdrz.schema.AudioFrame;
import io.streamdrz.schema.AudioFrameSerde;
import io.streamdrz.topology.DeadLetters;
import io.streamdrz.topology.ManySpeakersInference;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #22's defects on a real (embedded) broker, with exactly-once and changelogs:
 * a 12-speaker, 60-minute call (a stand-in engine that gives every speaker a prompt as
 * large as the real model's, faster than real time) streams to its end with all its
 * segments, which used to fail the instance at the 9th label on a record over 1 MB; the
 * three sequence-number cases end or dead-letter as documented; then a restarted
 * instance on the same state runs a new call.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class ReliabilityIT {

    private static final String PREFIX = "reliability-";
    private static final int CHUNK_SECONDS = 30;
    private static final int CALL_SECONDS = 3_600;
    private static final int SPEAKERS = 12;

    @TempDir
    Path dir;

    @Test
    void longConferenceCallsAndExtremeSequenceNumbersNeitherCrashNorPoisonTheInstance(EmbeddedKafka kafka)
            throws Exception {
        Pipelines.createTopics(kafka, PREFIX, 2);
        Map<String, String> settings = Pipelines.settings(kafka, PREFIX, dir.resolve("state"));
        settings.put(StreamdrzConfig.IDLE_TIMEOUT_MS, "5000");
        settings.put(StreamdrzConfig.IDLE_CHECK_INTERVAL_MS, "500");
        settings.put(StreamdrzConfig.BUFFER_MAX_MS, String.valueOf((CHUNK_SECONDS + 30) * 1000));
        StreamdrzConfig config = StreamdrzConfig.of(settings);
        ManySpeakersInference engine = new ManySpeakersInference(CHUNK_SECONDS * ManySpeakersInference.RATE, SPEAKERS);

        try (DiarizationApp app = DiarizationApp.start(config, engine)) {
            assertTrue(app.awaitRunning(Duration.ofMinutes(1)));
            produce(config, conferenceCall("conference"));
            produce(config, sequenceCases());
            Pipelines.Output out = Pipelines.readUntilEnded(config, 4, Duration.ofMinutes(8));
            assertEquals(List.of("END_OF_STREAM"), out.ends().get("conference"));
            assertEquals(CALL_SECONDS / CHUNK_SECONDS, out.segments().get("conference").size(), "one segment a chunk");
            assertEquals(SPEAKERS, out.segments().get("conference").stream()
                    .map(s -> s.segment().getSpeaker()).distinct().count());
            assertEquals(List.of("GAP_TOO_LARGE"), out.ends().get("extreme"));
            assertEquals(List.of("GAP_TOO_LARGE"), out.ends().get("jump"));
            assertEquals(List.of("IDLE_TIMEOUT"), out.ends().get("wrap"));
            Map<String, Map<String, Integer>> dead = deadLetters(config, 9 + 9 + 11);
            assertEquals(Map.of("GAP_TOO_LARGE", 8, "SEQUENCE_OVERFLOW", 1), dead.get("extreme"));
            assertEquals(Map.of("GAP_TOO_LARGE", 9), dead.get("jump"));
            assertEquals(Map.of("LATE_FRAME", 10, "SEQUENCE_OVERFLOW", 1), dead.get("wrap"));
            assertEquals(KafkaStreams.State.RUNNING, app.state());
            assertTrue(engine.promptsWithAudioSeen() <= 4, "prompts with audio: " + engine.promptsWithAudioSeen());
        }

        try (DiarizationApp app = DiarizationApp.start(config, new ManySpeakersInference(16_000, 2))) {
            assertTrue(app.awaitRunning(Duration.ofMinutes(1)), "a restart on the same state runs");
            produce(config, frames("after", 0, 100, 320, true));
            Pipelines.Output out = Pipelines.readUntilEnded(config, 5, Duration.ofMinutes(2));
            assertEquals(List.of("END_OF_STREAM"), out.ends().get("after"));
            assertEquals(2, out.segments().get("after").size());
        }
    }

    /** One hour in one-second frames of 8 kHz mu-law (the frames' content is the stand-in engine's business). */
    private static List<AudioFrame> conferenceCall(String id) {
        List<AudioFrame> frames = new ArrayList<>();
        for (int s = 0; s < CALL_SECONDS; s++) {
            frames.add(frame(id, s, AudioEncoding.MULAW, 8_000, 8_000, s == CALL_SECONDS - 1));
        }
        return frames;
    }

    /** Issue #22's defects 2 to 4 in 20 ms frames of 16 kHz PCM (320 samples, which the jump's size is made for). */
    private static List<AudioFrame> sequenceCases() {
        List<AudioFrame> frames = new ArrayList<>();
        frames.addAll(frames("extreme", Long.MIN_VALUE, 9, 320, false));
        frames.addAll(frames("extreme", Long.MAX_VALUE - 8, 9, 320, false));
        frames.addAll(frames("jump", 0, 9, 320, false));
        frames.addAll(frames("jump", 9 + Long.MAX_VALUE / 320 + 1, 9, 320, false));
        frames.addAll(frames("wrap", Long.MAX_VALUE - 39, 40, 320, false));
        frames.addAll(frames("wrap", Long.MIN_VALUE, 10, 320, true));
        return frames;
    }

    private static List<AudioFrame> frames(String id, long first, int count, int samples, boolean ends) {
        List<AudioFrame> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            frames.add(frame(id, first + i, AudioEncoding.PCM_S16LE, 16_000, samples * 2, ends && i == count - 1));
        }
        return frames;
    }

    private static AudioFrame frame(String id, long seq, AudioEncoding encoding, int rate, int bytes, boolean ends) {
        byte[] payload = new byte[bytes];
        Arrays.fill(payload, (byte) 0x11);
        return AudioFrame.newBuilder().setCallId(id).setSequenceNumber(seq).setSampleRate(rate).setChannels(1)
                .setEncoding(encoding).setPayload(ByteBuffer.wrap(payload)).setEndOfStream(ends).build();
    }

    private static void produce(StreamdrzConfig config, List<AudioFrame> frames) {
        Map<String, Object> producerConfig = new HashMap<>(config.producerProperties());
        try (KafkaProducer<String, AudioFrame> producer =
                     new KafkaProducer<>(producerConfig, new StringSerializer(), new AudioFrameSerde())) {
            for (AudioFrame f : frames) {
                producer.send(new ProducerRecord<>(config.audioInTopic(), f.getCallId(), f));
            }
            producer.flush();
        }
    }

    /** Reason counts per call of the first {@code expected} dead letters (read committed). */
    private static Map<String, Map<String, Integer>> deadLetters(StreamdrzConfig config, int expected) {
        Map<String, Object> consumerConfig = new HashMap<>(config.consumerProperties());
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "reliability-dlq-reader");
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Map<String, Integer>> out = new TreeMap<>();
        Set<Long> seen = new HashSet<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        try (KafkaConsumer<String, byte[]> consumer =
                     new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(config.deadLetterTopic()));
            while (seen.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (seen.add(r.offset())) {
                        String reason = new String(r.headers().lastHeader(DeadLetters.REASON).value(),
                                StandardCharsets.UTF_8);
                        out.computeIfAbsent(r.key(), k -> new TreeMap<>()).merge(reason, 1, Integer::sum);
                    }
                }
            }
        }
        return out;
    }
}
