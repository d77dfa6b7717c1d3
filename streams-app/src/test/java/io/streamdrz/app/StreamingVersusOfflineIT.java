package io.streamdrz.app;

import io.streamdrz.audio.AudioClip;
import io.streamdrz.audio.AudioFileReader;
import io.streamdrz.audio.G711;
import io.streamdrz.client.AudioProducer;
import io.streamdrz.client.CallAudio;
import io.streamdrz.client.FrameEncoding;
import io.streamdrz.eval.DerResult;
import io.streamdrz.eval.DiarizationScorer;
import io.streamdrz.eval.Rttm;
import io.streamdrz.eval.SpeakerTurn;
import io.streamdrz.inference.ModelFixtures;
import io.streamdrz.kafka.EmbeddedKafka;
import io.streamdrz.kafka.EmbeddedKafkaExtension;
import io.streamdrz.recipe.CallSegment;
import io.streamdrz.schema.AudioEncoding;
import io.streamdrz.schema.SegmentStatus;
import io.streamdrz.topology.DeadLetters;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cost of streaming, measured: held-out calls through Kafka (chunks, prompts,
 * state stores, exactly-once) against the offline recipe on the same audio, scored
 * against their reference RTTMs. For 16 kHz audio the two must agree exactly; for a
 * call sent as 8 kHz mu-law (resampled chunk by chunk in the app, whole in the offline
 * run) the DER may differ by at most 1 point.
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class StreamingVersusOfflineIT {

    private static final String PREFIX = "der-";

    @TempDir
    Path stateDir;

    @Test
    void streamingDerIsWithinOnePointOfOfflineOnHeldOutCalls(EmbeddedKafka kafka) throws Exception {
        Pipelines.createTopics(kafka, PREFIX, 2);
        StreamdrzConfig config = StreamdrzConfig.of(Pipelines.settings(kafka, PREFIX, stateDir));

        Map<String, List<SpeakerTurn>> reference = new LinkedHashMap<>();
        Map<String, List<SpeakerTurn>> offline = new LinkedHashMap<>();
        Map<String, List<String>> offlineRows = new LinkedHashMap<>();
        Map<String, List<String>> offlineFinalRows = new LinkedHashMap<>();
        List<CallAudio> calls = new ArrayList<>();
        List<CallAudio> telephone = new ArrayList<>();
        for (String file : List.of("call-0", "call-1")) {
            List<SpeakerTurn> ref = Rttm.read(ModelFixtures.file(file + ".rttm")).values().iterator().next();
            AudioClip clip = AudioFileReader.read(ModelFixtures.file(file + ".wav"), null);
            calls.add(new CallAudio(file, clip));
            List<CallSegment> whole = Pipelines.offline(clip.atRate(16_000).samples());
            reference.put(file, ref);
            offline.put(file, Pipelines.turnsOfOffline(whole));
            offlineRows.put(file, Pipelines.rowsOfOffline(whole));
            offlineFinalRows.put(file, Pipelines.rowsOfOffline(Pipelines.offlineFinal(clip.atRate(16_000).samples())));

            // The same call as a phone line sends it: 8 kHz mu-law. Offline gets exactly that audio, whole.
            String id = file + "-mulaw8k";
            AudioClip narrow = clip.atRate(8_000);
            telephone.add(new CallAudio(id, narrow));
            reference.put(id, ref);
            offline.put(id, Pipelines.turnsOfOffline(Pipelines.offline(
                    new AudioClip(mulawRoundTrip(narrow.samples()), 8_000).atRate(16_000).samples())));
        }

        byte[] garbage = "not an audio frame".getBytes(StandardCharsets.UTF_8);
        try (DiarizationEngine engine = DiarizationEngine.load(config);
             DiarizationApp app = DiarizationApp.start(config, engine.inference())) {
            assertTrue(app.awaitRunning(Duration.ofMinutes(1)), "app state " + app.state());
            try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(config.producerProperties(),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                raw.send(new ProducerRecord<>(config.audioInTopic(), "call-0".getBytes(StandardCharsets.UTF_8), garbage))
                        .get();
            }
            Pipelines.produce(config, calls, new AudioProducer.Options(AudioEncoding.PCM_S16LE, 20, 1, 0, true));
            Pipelines.produce(config, telephone, new AudioProducer.Options(AudioEncoding.MULAW, 20, 1, 0, true));
            Pipelines.Output out = Pipelines.readUntilEnded(config, 4, Duration.ofMinutes(5));

            Map<String, List<SpeakerTurn>> streamed = new LinkedHashMap<>();
            for (String id : reference.keySet()) {
                assertEquals(List.of("END_OF_STREAM"), out.ends().get(id), id + ": one end record");
                streamed.put(id, Pipelines.turnsOfSegments(out.segments().get(id)));
            }
            for (String file : offlineRows.keySet()) {
                assertEquals(offlineRows.get(file), Pipelines.rowsOfSegments(out.segments().get(file)),
                        file + ": at 16 kHz streaming and offline give the same segments");
            }
            assertRevisedAreTheWholeFileLabels(config, offlineRows, offlineFinalRows);

            StringBuilder report = new StringBuilder("streaming vs offline DER (held-out fixture calls, model "
                    + engine.model().contract().modelId + ")\n");
            for (double collar : new double[] {0.0, 0.25}) {
                DerResult s = total(reference, streamed, collar);
                DerResult o = total(reference, offline, collar);
                report.append(String.format(Locale.ROOT, "collar %.2f: streaming %.2f%%, offline %.2f%%, difference %.2f points%n",
                        collar, 100 * s.der(), 100 * o.der(), 100 * (s.der() - o.der())));
                for (String id : reference.keySet()) {
                    report.append(String.format(Locale.ROOT, "  %-16s streaming %6.2f%%  offline %6.2f%%%n", id,
                            100 * DiarizationScorer.score(reference.get(id), streamed.get(id), collar, null,
                                    DiarizationScorer.DefaultRegion.UNION).der(),
                            100 * DiarizationScorer.score(reference.get(id), offline.get(id), collar, null,
                                    DiarizationScorer.DefaultRegion.UNION).der()));
                }
                assertTrue(Math.abs(s.der() - o.der()) <= 0.01, "collar " + collar + ": streaming DER "
                        + s.der() + " vs offline " + o.der());
            }
            System.out.print(report);
            Files.writeString(Path.of("target", "streaming-vs-offline-der.txt"), report.toString());

            assertDeadLetter(config, garbage);
        }
    }

    @Test
    void theSpeakerCapReachesTheStreamsApp(EmbeddedKafka kafka) throws Exception {
        // call-3 has three speakers; the model alone gives it more than two labels
        Pipelines.createTopics(kafka, "cap-", 1);
        Map<String, String> settings = Pipelines.settings(kafka, "cap-", stateDir.resolve("cap"));
        settings.put(StreamdrzConfig.CALL_MAX_SPEAKERS, "2");
        StreamdrzConfig config = StreamdrzConfig.of(settings);
        AudioClip clip = AudioFileReader.read(ModelFixtures.file("call-3.wav"), null);
        List<CallSegment> capped = new io.streamdrz.recipe.CallDiarizer(ModelFixtures.engine(), 2)
                .diarize(clip.atRate(16_000).samples());
        try (DiarizationEngine engine = DiarizationEngine.load(config);
             DiarizationApp app = DiarizationApp.start(config, engine.inference())) {
            assertTrue(app.awaitRunning(Duration.ofMinutes(1)), "app state " + app.state());
            Pipelines.produce(config, List.of(new CallAudio("call-3", clip)),
                    new AudioProducer.Options(AudioEncoding.PCM_S16LE, 20, 1, 0, true));
            Pipelines.Output out = Pipelines.readUntilEnded(config, 1, Duration.ofMinutes(5));
            List<String> rows = Pipelines.rowsOfSegments(out.segments().get("call-3"));
            assertEquals(Pipelines.rowsOfOffline(capped), rows);
            assertEquals(List.of("A", "B"), rows.stream().map(r -> r.split(" ")[0]).distinct().sorted().toList());
        }
    }

    /**
     * Each call's revised segments are what diarize gives the whole file: the same final
     * pass, from pieces the app kept in its archive chunk by chunk.
     */
    private static void assertRevisedAreTheWholeFileLabels(StreamdrzConfig config, Map<String, List<String>> live,
                                                           Map<String, List<String>> whole) {
        Pipelines.Output revised = Pipelines.readUntilEnded(config, config.segmentsRevisedTopic(), 4,
                Duration.ofMinutes(1));
        for (String file : whole.keySet()) {
            assertEquals(List.of("END_OF_STREAM"), revised.ends().get(file), file + ": one end record");
            assertEquals(whole.get(file), Pipelines.rowsOfSegments(revised.segments().get(file)),
                    file + ": revised segments are diarize's whole-file labels");
            assertTrue(revised.segments().get(file).stream()
                    .allMatch(s -> s.segment().getStatus() == SegmentStatus.REVISED), file);
        }
        assertTrue(whole.keySet().stream().anyMatch(f -> !whole.get(f).equals(live.get(f))),
                "the final pass changed some call's labels, so the revised topic is not the live one again");
    }

    private static DerResult total(Map<String, List<SpeakerTurn>> ref, Map<String, List<SpeakerTurn>> hyp, double collar) {
        return DiarizationScorer.scoreFiles(ref, hyp, collar, null, DiarizationScorer.DefaultRegion.UNION).total();
    }

    private static float[] mulawRoundTrip(float[] samples) {
        ByteBuffer coded = FrameEncoding.encode(samples, 0, samples.length, AudioEncoding.MULAW, 1);
        float[] out = new float[samples.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = G711.mulawToLinear(coded.get(i)) / 32768f;
        }
        return out;
    }

    /** The bad record is on the dead-letter topic of the real broker: same bytes, reason headers. */
    private static void assertDeadLetter(StreamdrzConfig config, byte[] garbage) {
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
            assertEquals(1, records.size());
            ConsumerRecord<byte[], byte[]> r = records.get(0);
            assertArrayEquals(garbage, r.value());
            assertArrayEquals("call-0".getBytes(StandardCharsets.UTF_8), r.key());
            assertEquals("NOT_SINGLE_OBJECT", new String(r.headers().lastHeader(DeadLetters.REASON).value(),
                    StandardCharsets.UTF_8));
            assertEquals(config.audioInTopic(), new String(r.headers().lastHeader(DeadLetters.TOPIC).value(),
                    StandardCharsets.UTF_8));
        }
    }
}
