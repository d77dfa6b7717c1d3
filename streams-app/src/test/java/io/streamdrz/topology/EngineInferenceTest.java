package io.streamdrz.topology;

import io.streamdrz.audio.AudioFileReader;
import io.streamdrz.inference.ModelFixtures;
import io.streamdrz.recipe.BankPiece;
import io.streamdrz.recipe.CallDiarizer;
import io.streamdrz.recipe.CallSegment;
import io.streamdrz.recipe.CallState;
import io.streamdrz.recipe.SpeakerPrompt;
import io.streamdrz.schema.AudioEncoding;
import io.streamdrz.schema.AudioFrame;
import io.streamdrz.schema.SpeakerSegment;


import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The topology with the real engine and model gives, for 16 kHz audio, exactly the
 * segments of the offline recipe ({@code diarize}) on the whole file: streaming changes
 * when segments appear, not what they are, even with frames reordered.
 */
class EngineInferenceTest {

    @TempDir
    Path stateDir;

    @ParameterizedTest
    @ValueSource(strings = {"call-0", "call-1", "call-2", "call-3 2"})
    void streamingEqualsOfflineOnTheFixtureCalls(String callAndCap) throws Exception {
        // "call-3 2": the three-speaker fixture call with streamdrz.call.max.speakers 2
        String call = callAndCap.split(" ")[0];
        int cap = callAndCap.contains(" ") ? Integer.parseInt(callAndCap.split(" ")[1]) : 0;
        EngineInference engine = new EngineInference(ModelFixtures.engine().contract(), ModelFixtures.engine(), cap);
        float[] audio = AudioFileReader.read(ModelFixtures.file(call + ".wav"), null, 16_000).samples();
        List<CallSegment> offline = new CallDiarizer(ModelFixtures.engine(), cap).diarize(audio);
        List<CallSegment> offlineFinal = new CallDiarizer(ModelFixtures.engine(), cap).diarize(audio, true);
        if (cap > 0) {
            assertEquals(cap, offline.stream().map(CallSegment::label).distinct().count(), "capped labels");
        }

        List<AudioFrame> frames = TestCalls.frames(call, audio, 16_000, AudioEncoding.PCM_S16LE, 1, 20, 0);
        List<AudioFrame> sent = new ArrayList<>(frames.subList(0, frames.size() - 1));
        for (int i = 0; i + 4 <= sent.size(); i += 50) {
            Collections.reverse(sent.subList(i, i + 4));
        }
        sent.add(frames.get(frames.size() - 1));
        try (TopologyHarness h = new TopologyHarness(TopologyConfig.builder().build(), null, engine, stateDir)) {
            h.sendAll(sent);
            List<TestRecord<String, SpeakerSegment>> out = h.output();
            assertEquals(List.of("END_OF_STREAM"), DiarizationTopologyTest.ends(out));
            assertEquals(rows(offline), rows(out.stream().filter(r -> r.value() != null).map(TestRecord::value).toList()));
            assertEquals(List.of(), h.deadLettered());
            List<TestRecord<String, SpeakerSegment>> revised = h.segmentsRevised.readRecordsToList();
            assertEquals(rows(offlineFinal), rows(revised.stream().filter(r -> r.value() != null)
                    .map(TestRecord::value).toList()), "revised segments are diarize's whole-file labels");
        }
    }

    @Test
    void theEngineKeepsAChunksFinalPiecesOnlyWhenAskedAndTheyChangeNothingElse() throws Exception {
        EngineInference engine = new EngineInference(ModelFixtures.engine().contract(), ModelFixtures.engine());
        float[] audio = AudioFileReader.read(ModelFixtures.file("call-0.wav"), null, 16_000).samples();
        float[] chunk = java.util.Arrays.copyOf(audio, engine.chunkSamples());
        CallState plain = engine.diarize(new CallState(), chunk);
        CallState kept = engine.keepingFinalPieces().diarize(new CallState(), chunk);
        assertEquals(List.of(), plain.finalPieces());
        assertFalse(kept.finalPieces().isEmpty());
        assertTrue(kept.finalPieces().stream().allMatch(p -> p.cepstra() != null && p.end() <= 8.0));
        assertEquals(plain.segments(), kept.segments());
        assertEquals(List.of(), kept.copy().finalPieces(), "not part of the state a copy carries on");
    }

    @Test
    void theCallStateRoundTripsThroughTheStoredRecord() {
        CallState state = new CallState(
                List.of(new SpeakerPrompt(0, new float[] {0.1f, 0.2f}, 1.5, 2, new double[] {0.25, -1.5}, 17),
                        new SpeakerPrompt(1, new float[] {0.3f}, 0.7, 1)),
                2, 3, List.of(new CallSegment(22.5, 24.0, 1, 0.75, 2)),
                List.of(new BankPiece(new byte[] {76, -102}, 0.96, 1, new short[] {-32767, 5, 12800}),
                        new BankPiece(new byte[] {127, 0}, 1.2, 0)));
        CallState back = CallStateCodec.decode(CallStateCodec.encode(state));
        assertEquals(2, back.bank().size());
        assertArrayEquals(new byte[] {76, -102}, back.bank().get(0).embedding());
        assertEquals(0.96, back.bank().get(0).seconds());
        assertEquals(List.of(1, 0), back.bank().stream().map(BankPiece::label).toList());
        assertArrayEquals(new short[] {-32767, 5, 12800}, back.bank().get(0).cepstra());
        assertNull(back.bank().get(1).cepstra());
        assertEquals(state.chunkIndex(), back.chunkIndex());
        assertEquals(state.labelCount(), back.labelCount());
        assertEquals(state.segments(), back.segments());
        assertEquals(2, back.prompts().size());
        assertArrayEquals(new float[] {0.1f, 0.2f}, back.prompts().get(0).audio());
        assertEquals(0.7, back.prompts().get(1).cleanSeconds());
        assertArrayEquals(new double[] {0.25, -1.5}, back.prompts().get(0).voice());
        assertEquals(17, back.prompts().get(0).voiceFrames());
        assertNull(back.prompts().get(1).voice());
        // the voice profile through the bytes of the state store, exactly
        assertArrayEquals(new double[] {0.25, -1.5},
                CallStateCodec.voiceFromBytes(CallStateCodec.voiceToBytes(new double[] {0.25, -1.5})));
        assertNull(CallStateCodec.voiceFromBytes(CallStateCodec.voiceToBytes(null)));
    }

    private static List<String> rows(List<?> segments) {
        List<String> rows = new ArrayList<>();
        for (Object o : segments) {
            if (o instanceof CallSegment s) {
                rows.add(String.format("%s %d %d", s.speaker(), Math.round(s.start() * 1000),
                        Math.max(Math.round(s.start() * 1000), Math.round(s.end() * 1000))));
            } else if (o instanceof SpeakerSegment s) {
                rows.add(String.format("%s %d %d", s.getSpeaker(), s.getStartMs(), s.getEndMs()));
            }
        }
        rows.sort(Comparator.naturalOrder());
        return rows;
    }
}
