package io.streamdrz.app;

import io.streamdrz.audio.AudioClip;
import io.streamdrz.audio.AudioFileReader;
import io.streamdrz.client.AudioProducer;
import io.streamdrz.client.CallAudio;
import io.streamdrz.client.SegmentReader;
import io.streamdrz.eval.SpeakerTurn;
import io.streamdrz.inference.ModelFixtures;
import io.streamdrz.kafka.EmbeddedKafka;
import io.streamdrz.recipe.CallDiarizer;
import io.streamdrz.recipe.CallSegment;
import io.streamdrz.schema.AudioFrame;
import io.streamdrz.schema.AudioFrameSerde;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shared steps of the integration tests: topics, settings, producing calls, reading segments, references. */
final class Pipelines {

    private Pipelines() {
    }

    /**
     * Settings for an app on {@code kafka} using topics prefixed {@code prefix}: fast commits, its own state,
     * live labels at their default hop.
     */
    static Map<String, String> settings(EmbeddedKafka kafka, String prefix, Path stateDir) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("bootstrap.servers", kafka.bootstrapServers());
        s.put("application.id", prefix + "app");
        s.put("state.dir", stateDir.toString());
        s.put("commit.interval.ms", "100");
        s.put(StreamdrzConfig.TOPIC_AUDIO_IN, prefix + "audio-in");
        s.put(StreamdrzConfig.TOPIC_SEGMENTS_OUT, prefix + "segments-out");
        s.put(StreamdrzConfig.TOPIC_DEAD_LETTER, prefix + "audio-in-dlq");
        s.put(StreamdrzConfig.TOPIC_SEGMENTS_LIVE, prefix + "segments-live");
        s.put(StreamdrzConfig.TOPIC_SEGMENTS_REVISED, prefix + "segments-revised");
        s.put(StreamdrzConfig.MODEL_PATH, ModelFixtures.modelPrefix().toString());
        return s;
    }

    static void createTopics(EmbeddedKafka kafka, String prefix, int partitions) {
        kafka.createTopic(prefix + "audio-in", partitions);
        kafka.createTopic(prefix + "segments-out", partitions);
        kafka.createTopic(prefix + "audio-in-dlq", 1);
        // Live labels are on by default: the app will not start without their topic.
        kafka.createTopic(prefix + "segments-live", partitions);
        kafka.createTopic(prefix + "segments-revised", partitions);
    }

    /** A fixture call (16 kHz) under another id. */
    static CallAudio fixtureCall(String file, String id) throws Exception {
        AudioClip clip = AudioFileReader.read(ModelFixtures.file(file + ".wav"), null);
        return new CallAudio(id, clip);
    }

    /** Call ids, one per partition of a topic with {@code partitions} partitions (the producer's default partitioner). */
    static List<String> idsOnDistinctPartitions(String stem, int partitions) {
        Map<Integer, String> byPartition = new TreeMap<>();
        for (int i = 0; byPartition.size() < partitions; i++) {
            String id = stem + "-" + i;
            byPartition.putIfAbsent(Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % partitions, id);
        }
        return new ArrayList<>(byPartition.values());
    }

    static void produce(StreamdrzConfig config, List<CallAudio> calls, AudioProducer.Options options)
            throws InterruptedException {
        Map<String, Object> producerConfig = new HashMap<>(config.producerProperties());
        producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        try (KafkaProducer<String, AudioFrame> producer =
                     new KafkaProducer<>(producerConfig, new StringSerializer(), new AudioFrameSerde())) {
            AudioProducer.produce(producer, config.audioInTopic(), calls, options, frame -> { });
        }
    }

    /** What segments-out held for each call once {@code calls} calls had ended. */
    record Output(Map<String, List<SegmentReader.Segment>> segments, Map<String, List<String>> ends) {
    }

    static Output readUntilEnded(StreamdrzConfig config, int calls, Duration timeout) {
        return readUntilEnded(config, config.segmentsOutTopic(), calls, timeout);
    }

    /** Segments and end records of {@code topic} until {@code calls} calls have ended there. */
    static Output readUntilEnded(StreamdrzConfig config, String topic, int calls, Duration timeout) {
        Map<String, List<SegmentReader.Segment>> segments = new TreeMap<>();
        Map<String, List<String>> ends = new TreeMap<>();
        int[] ended = {0};
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SegmentReader reader = new SegmentReader(config.consumerProperties(), topic, true)) {
            reader.read(event -> {
                if (event instanceof SegmentReader.Segment s) {
                    segments.computeIfAbsent(s.callId(), k -> new ArrayList<>()).add(s);
                } else if (event instanceof SegmentReader.CallEnded e) {
                    ends.computeIfAbsent(e.callId(), k -> new ArrayList<>()).add(e.reason());
                    ended[0]++;
                }
                return ended[0] < calls && System.nanoTime() < deadline;
            }, timeout);
            // Anything after the last end record would be a duplicate: look once more.
            reader.read(event -> {
                if (event instanceof SegmentReader.Segment s) {
                    segments.computeIfAbsent(s.callId(), k -> new ArrayList<>()).add(s);
                } else if (event instanceof SegmentReader.CallEnded e) {
                    ends.computeIfAbsent(e.callId(), k -> new ArrayList<>()).add(e.reason());
                }
                return true;
            }, Duration.ofSeconds(2));
        }
        assertTrue(ended[0] >= calls, "only " + ended[0] + " of " + calls + " calls ended within " + timeout
                + "; segments so far: " + segments.keySet());
        return new Output(segments, ends);
    }

    /** The offline recipe on the whole call at the model's rate: what diarize writes with --live-labels. */
    static List<CallSegment> offline(float[] audio16k) {
        return new CallDiarizer(ModelFixtures.engine()).diarize(audio16k);
    }

    /** The same with the labels decided again at the call's end: what diarize writes by default. */
    static List<CallSegment> offlineFinal(float[] audio16k) {
        return new CallDiarizer(ModelFixtures.engine()).diarize(audio16k, true);
    }

    /** Segments as comparable rows: speaker, start ms, end ms, sorted. */
    static List<String> rowsOfSegments(List<SegmentReader.Segment> segments) {
        List<String> rows = new ArrayList<>();
        for (SegmentReader.Segment s : segments) {
            rows.add(s.segment().getSpeaker() + " " + s.segment().getStartMs() + " " + s.segment().getEndMs());
        }
        rows.sort(null);
        return rows;
    }

    static List<String> rowsOfOffline(List<CallSegment> segments) {
        List<String> rows = new ArrayList<>();
        for (CallSegment s : segments) {
            long start = Math.round(s.start() * 1000);
            rows.add(s.speaker() + " " + start + " " + Math.max(start, Math.round(s.end() * 1000)));
        }
        rows.sort(null);
        return rows;
    }

    static List<SpeakerTurn> turnsOfSegments(List<SegmentReader.Segment> segments) {
        List<SpeakerTurn> turns = new ArrayList<>();
        if (segments != null) {
            for (SegmentReader.Segment s : segments) {
                turns.add(new SpeakerTurn(s.segment().getStartMs() / 1000.0, s.segment().getEndMs() / 1000.0,
                        s.segment().getSpeaker()));
            }
        }
        return turns;
    }

    static List<SpeakerTurn> turnsOfOffline(List<CallSegment> segments) {
        List<SpeakerTurn> turns = new ArrayList<>();
        for (CallSegment s : segments) {
            turns.add(new SpeakerTurn(s.start(), s.end(), s.speaker()));
        }
        return turns;
    }
}
