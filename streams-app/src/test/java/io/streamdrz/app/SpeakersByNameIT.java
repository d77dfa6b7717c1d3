package io.streamdrz.app;

import io.streamdrz.audio.AudioClip;
import io.streamdrz.audio.AudioFileReader;
import io.streamdrz.cli.CliRun;
import io.streamdrz.client.AudioProducer;
import io.streamdrz.client.CallAudio;
import io.streamdrz.client.SegmentReader;
import io.streamdrz.eval.Rttm;
import io.streamdrz.eval.SpeakerTurn;
import io.streamdrz.inference.ModelFixtures;
import io.streamdrz.kafka.EmbeddedKafka;
import io.streamdrz.kafka.EmbeddedKafkaExtension;
import io.streamdrz.schema.AudioEncoding;
import io.streamdrz.schema.SpeakerSegment;
import io.streamdrz.schema.Voiceprint;
import io.streamdrz.speakers.CallHints;
import io.streamdrz.speakers.SpeakerFixtures;
import io.streamdrz.topology.DiarizationTopology;

import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Speakers by name, end to end on a real broker: two voices enrolled with
 * {@code streamdrz enroll} while the app runs, a call in which one of them talks with a
 * stranger, the enrolled voice's segments named and the stranger's not; then the speaker
 * deleted with {@code streamdrz speakers --delete} (a tombstone), and the same call
 * again stays unnamed. Also: {@code similar} finds an enrolled voice from another
 * recording, and a call whose producer expects only the other enrolled speaker names
 * nobody. Voices: held-out test identities the model was never trained on
 * ({@code models/speaker_fixtures.py}).
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class SpeakersByNameIT {

    private static final String PREFIX = "names-";

    @TempDir
    Path stateDir;

    @Test
    void anEnrolledVoiceIsNamedTheStrangerIsNotAndATombstoneForgetsTheVoice(EmbeddedKafka kafka) throws Exception {
        Pipelines.createTopics(kafka, PREFIX, 2);
        kafka.createTopic(PREFIX + "speakers", 1, Map.of("cleanup.policy", "compact"));
        Map<String, String> settings = Pipelines.settings(kafka, PREFIX, stateDir);
        settings.put(StreamdrzConfig.TOPIC_SPEAKERS, PREFIX + "speakers");
        StreamdrzConfig config = StreamdrzConfig.of(settings);
        AudioClip call = AudioFileReader.read(SpeakerFixtures.call(), null);
        List<SpeakerTurn> reference = Rttm.read(SpeakerFixtures.dir().resolve("call.rttm")).get("call");

        try (DiarizationEngine engine = DiarizationEngine.load(config);
             DiarizationApp app = DiarizationApp.start(config, engine.inference())) {
            assertTrue(app.awaitRunning(Duration.ofMinutes(1)), "app state " + app.state());

            // 1. two voices enrolled while the app runs
            cli(kafka, "enroll", "--id", "july", "--name", "July", SpeakerFixtures.enrolment("july").toString());
            cli(kafka, "enroll", "--id", "armelle", "--name", "Armelle", SpeakerFixtures.enrolment("armelle").toString());
            awaitPrints(app, prints -> prints.approximateNumEntries() == 2 && prints.get("july") != null);
            String listing = cli(kafka, "speakers");
            assertTrue(listing.contains("july\tJuly\t" + engine.model().contract().modelId), listing);
            String similar = cli(kafka, "similar", "--top", "2", SpeakerFixtures.other("july").toString());
            assertTrue(similar.split("\n")[1].endsWith("\tjuly (July)"), "july's other recording: " + similar);

            // 2. a call of july and a stranger
            Pipelines.produce(config, List.of(new CallAudio("call-1", call)),
                    new AudioProducer.Options(AudioEncoding.PCM_S16LE, 20, 1, 0, true));
            List<SegmentReader.Segment> first = Pipelines.readUntilEnded(config, 1, Duration.ofMinutes(5))
                    .segments().get("call-1");

            // 3. july's segments named, the stranger's not
            double julyNamed = 0;
            double julyTotal = 0;
            for (SegmentReader.Segment s : first) {
                SpeakerSegment seg = s.segment();
                String who = speakerOf(seg, reference);
                if (seg.getSpeakerId() != null) {
                    assertEquals("july", seg.getSpeakerId(), "only july is in the call: " + seg);
                    assertEquals("July", seg.getSpeakerName());
                    assertEquals(SpeakerFixtures.CALLER, who, "a named segment is july's speech: " + seg);
                }
                if (who.equals(SpeakerFixtures.CALLER)) {
                    julyTotal += seg.getEndMs() - seg.getStartMs();
                    julyNamed += seg.getSpeakerId() != null ? seg.getEndMs() - seg.getStartMs() : 0;
                } else {
                    assertNull(seg.getSpeakerId(), "the stranger keeps a letter: " + seg);
                }
            }
            assertTrue(julyNamed >= 0.5 * julyTotal, "most of july's speech is named: " + julyNamed + " of " + julyTotal
                    + " ms; " + first);

            // 3a. the revised segments carry the names too: only july, on july's speech
            List<SegmentReader.Segment> revised = Pipelines.readUntilEnded(config, config.segmentsRevisedTopic(), 1,
                    Duration.ofMinutes(1)).segments().get("call-1");
            double julyRevisedNamed = 0;
            for (SegmentReader.Segment s : revised) {
                SpeakerSegment seg = s.segment();
                if (seg.getSpeakerId() != null) {
                    assertEquals("july", seg.getSpeakerId(), "revised: " + seg);
                    assertEquals(SpeakerFixtures.CALLER, speakerOf(seg, reference), "revised, named: " + seg);
                    julyRevisedNamed += seg.getEndMs() - seg.getStartMs();
                }
            }
            assertTrue(julyRevisedNamed >= 0.5 * julyTotal, "most of july's revised speech is named: " + revised);

            // 3b. a producer that expects only armelle in its call: july is not a candidate there
            Pipelines.produce(config, List.of(new CallAudio("call-armelle-line", call,
                            new CallHints(null, List.of("armelle")))),
                    new AudioProducer.Options(AudioEncoding.PCM_S16LE, 20, 1, 0, true));
            List<SegmentReader.Segment> hinted = Pipelines.readUntilEnded(config, 2, Duration.ofMinutes(5))
                    .segments().get("call-armelle-line");
            assertFalse(hinted.isEmpty());
            for (SegmentReader.Segment s : hinted) {
                assertNull(s.segment().getSpeakerId(), "only armelle was expected: " + s.segment());
            }

            // 4. july deleted by tombstone
            String deleted = cli(kafka, "speakers", "--delete", "july");
            assertTrue(deleted.startsWith("deleted july (July)"), deleted);
            awaitPrints(app, prints -> prints.get("july") == null && prints.get("armelle") != null);
            assertFalse(cli(kafka, "speakers").contains("july\t"), "gone from the listing");

            // 5. the same call again: nobody is named
            Pipelines.produce(config, List.of(new CallAudio("call-2", call)),
                    new AudioProducer.Options(AudioEncoding.PCM_S16LE, 20, 1, 0, true));
            List<SegmentReader.Segment> second = Pipelines.readUntilEnded(config, 3, Duration.ofMinutes(5))
                    .segments().get("call-2");
            assertFalse(second.isEmpty());
            for (SegmentReader.Segment s : second) {
                assertNull(s.segment().getSpeakerId(), "july was deleted: " + s.segment());
            }
        }
    }

    /** The reference speaker a segment overlaps most. */
    private static String speakerOf(SpeakerSegment seg, List<SpeakerTurn> reference) {
        String best = "";
        double bestOverlap = -1;
        for (SpeakerTurn t : reference) {
            double overlap = Math.min(t.end(), seg.getEndMs() / 1000.0) - Math.max(t.start(), seg.getStartMs() / 1000.0);
            if (overlap > bestOverlap) {
                bestOverlap = overlap;
                best = t.speaker();
            }
        }
        return best;
    }

    /** Runs a streamdrz command against the broker and this test's speakers topic; its stdout. */
    private static String cli(EmbeddedKafka kafka, String... args) {
        CliRun cli = new CliRun();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-server", kafka.bootstrapServers(),
                "--set", StreamdrzConfig.TOPIC_SPEAKERS + "=" + PREFIX + "speakers"));
        if (args[0].equals("enroll") || args[0].equals("similar")) {
            all.addAll(List.of("--model", ModelFixtures.modelPrefix().toString()));
        }
        assertEquals(0, cli.run(all.toArray(String[]::new)), String.join(" ", args) + ": " + cli.err());
        return cli.out();
    }

    /** Waits until the app's global voiceprints store satisfies {@code condition}. */
    private static void awaitPrints(DiarizationApp app, Predicate<ReadOnlyKeyValueStore<String, Voiceprint>> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            ReadOnlyKeyValueStore<String, Voiceprint> prints = app.streams().store(StoreQueryParameters.fromNameAndType(
                    DiarizationTopology.VOICEPRINTS_STORE, QueryableStoreTypes.<String, Voiceprint>keyValueStore()));
            if (condition.test(prints)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the app's voiceprints did not reach the expected state within 60 s");
    }
}
