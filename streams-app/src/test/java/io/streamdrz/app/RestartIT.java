package io.streamdrz.app;

import io.streamdrz.client.CallAudio;
import io.streamdrz.client.FrameEncoding;
import io.streamdrz.kafka.EmbeddedKafka;
import io.streamdrz.kafka.EmbeddedKafkaExtension;
import io.streamdrz.schema.AudioEncoding;
import io.streamdrz.schema.AudioFrame;
import io.streamdrz.schema.AudioFrameSerde;
import io.streamdrz.topology.DiarizationTopology;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The app is stopped in the middle of two calls and its local state is thrown away;
 * a new instance restores the audio buffers and speaker prompts from the changelog
 * topics alone, and the calls go on as if nothing had happened: the same segments,
 * the same labels, as an uninterrupted run.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class RestartIT {

    private static final String PREFIX = "restart-";
    private static final int FRAME_MS = 20;

    @TempDir
    Path dir;

    @Test
    void aRestartMidCallRestoresBuffersAndPromptsFromTheChangelog(EmbeddedKafka kafka) throws Exception {
        Pipelines.createTopics(kafka, PREFIX, 2);
        List<String> ids = Pipelines.idsOnDistinctPartitions("call", 2);
        List<CallAudio> calls = List.of(Pipelines.fixtureCall("call-0", ids.get(0)),
                Pipelines.fixtureCall("call-1", ids.get(1)));
        Map<String, List<String>> expected = new LinkedHashMap<>();
        Map<String, List<String>> expectedRevised = new LinkedHashMap<>();
        for (CallAudio call : calls) {
            expected.put(call.callId(), Pipelines.rowsOfOffline(Pipelines.offline(call.audio().atRate(16_000).samples())));
            expectedRevised.put(call.callId(),
                    Pipelines.rowsOfOffline(Pipelines.offlineFinal(call.audio().atRate(16_000).samples())));
        }

        Map<String, String> settings = Pipelines.settings(kafka, PREFIX, dir.resolve("state-1"));
        // Kafka Streams does not leave its group on close; the new instance waits out the old one's session.
        settings.put("session.timeout.ms", "6000");
        settings.put("heartbeat.interval.ms", "1000");
        StreamdrzConfig first = StreamdrzConfig.of(settings);
        settings.put("state.dir", dir.resolve("state-2").toString());
        StreamdrzConfig second = StreamdrzConfig.of(settings);

        // 12.3 s of each 20 s call: chunk 0 is diarized, 4.3 s wait in the buffer, prompts are set.
        int cut = 12_300 / FRAME_MS;
        try (DiarizationEngine engine = DiarizationEngine.load(first)) {
            try (DiarizationApp app = DiarizationApp.start(first, engine.inference())) {
                assertTrue(app.awaitRunning(Duration.ofMinutes(1)));
                send(first, calls, 0, cut);
                awaitAllCommitted(kafka, first);
            }
            assertTrue(storeHasData(dir.resolve("state-1"), DiarizationTopology.SPEAKER_PROMPTS_STORE),
                    "the first instance kept prompts");
            assertTrue(storeHasData(dir.resolve("state-1"), DiarizationTopology.CALL_ARCHIVE_STORE),
                    "and the archive of the chunks so far");
            deleteRecursively(dir.resolve("state-1"));

            try (DiarizationApp app = DiarizationApp.start(second, engine.inference())) {
                assertTrue(app.awaitRunning(Duration.ofMinutes(1)));
                send(second, calls, cut, Integer.MAX_VALUE);
                Pipelines.Output out = Pipelines.readUntilEnded(second, calls.size(), Duration.ofMinutes(3));
                for (CallAudio call : calls) {
                    assertEquals(List.of("END_OF_STREAM"), out.ends().get(call.callId()));
                    assertEquals(expected.get(call.callId()), Pipelines.rowsOfSegments(out.segments().get(call.callId())),
                            call.callId() + ": the segments and labels of an uninterrupted run");
                    assertTrue(out.segments().get(call.callId()).stream()
                            .anyMatch(s -> s.segment().getChunkIndex() >= 2), "segments from after the restart");
                }
                Pipelines.Output revised = Pipelines.readUntilEnded(second, second.segmentsRevisedTopic(), calls.size(),
                        Duration.ofMinutes(1));
                for (CallAudio call : calls) {
                    assertEquals(expectedRevised.get(call.callId()),
                            Pipelines.rowsOfSegments(revised.segments().get(call.callId())),
                            call.callId() + ": the revised labels of an uninterrupted run, from the restored archive");
                }
            }
        }
    }

    /** Frames {@code from} (inclusive) to {@code to} (exclusive) of every call, numbered by their index. */
    private static void send(StreamdrzConfig config, List<CallAudio> calls, int from, int to) throws Exception {
        try (KafkaProducer<String, AudioFrame> producer = new KafkaProducer<>(config.producerProperties(),
                new StringSerializer(), new AudioFrameSerde())) {
            for (CallAudio call : calls) {
                float[] samples = call.audio().samples();
                int perFrame = call.audio().sampleRate() * FRAME_MS / 1000;
                int frames = (samples.length + perFrame - 1) / perFrame;
                for (int i = from; i < Math.min(to, frames); i++) {
                    int offset = i * perFrame;
                    int n = Math.min(perFrame, samples.length - offset);
                    AudioFrame frame = AudioFrame.newBuilder()
                            .setCallId(call.callId())
                            .setSequenceNumber(i)
                            .setSampleRate(call.audio().sampleRate())
                            .setChannels(1)
                            .setEncoding(AudioEncoding.PCM_S16LE)
                            .setPayload(FrameEncoding.encode(samples, offset, n, AudioEncoding.PCM_S16LE, 1))
                            .setEndOfStream(i == frames - 1)
                            .build();
                    producer.send(new ProducerRecord<>(config.audioInTopic(), call.callId(), frame));
                }
            }
            producer.flush();
        }
    }

    /** Waits until the app has committed everything on audio-in: all sent frames are processed and in the changelogs. */
    private static void awaitAllCommitted(EmbeddedKafka kafka, StreamdrzConfig config) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < 2; p++) {
                latest.put(new TopicPartition(config.audioInTopic(), p), OffsetSpec.latest());
            }
            var ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
            while (System.nanoTime() < deadline) {
                var committed = admin.listConsumerGroupOffsets(config.applicationId()).partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS);
                if (ends.entrySet().stream().allMatch(e -> committed.get(e.getKey()) != null
                        && committed.get(e.getKey()).offset() >= e.getValue().offset())) {
                    return;
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the app did not commit all of audio-in");
    }

    private static boolean storeHasData(Path stateDir, String store) throws Exception {
        try (Stream<Path> paths = Files.walk(stateDir)) {
            return paths.anyMatch(p -> p.getFileName().toString().equals(store) && Files.isDirectory(p));
        }
    }

    private static void deleteRecursively(Path dir) throws Exception {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        assertFalse(Files.exists(dir));
    }
}
