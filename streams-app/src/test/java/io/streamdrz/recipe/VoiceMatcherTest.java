package io.streamdrz.recipe;

import io.streamdrz.inference.ChunkSegment;
import io.streamdrz.inference.ContractFixtures;
import io.streamdrz.inference.DecodedChunk;
import io.streamdrz.inference.ModelContract;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Voice matching inside the recipe, and the cases that need embeddings made by hand; the
 * cases both twins share are in {@link VoiceCasesTest}.
 */
class VoiceMatcherTest {

    private final ModelContract c = ContractFixtures.contract();
    private final int full = c.promptSamples();

    private float[] embeddings(IntUnaryOperator chunkVoice, int... slotVoice) {
        return VoiceEmbeddings.of(c, chunkVoice, slotVoice);
    }

    private double t(int k) {
        return k * c.encoderFrameSeconds;
    }

    private static ChunkSegment seg(double start, double end, int label) {
        return new ChunkSegment(start, end, label, 0.9);
    }

    @Test
    void theSilentFramesOfAShortPromptAreIgnored() {
        int step = c.encoderFrameSamples;
        int perSlot = c.slotSamples() / step;
        float[] emb = embeddings(k -> t(k) < 3.0 ? 6 : -1, 6);
        for (int f = 6; f < perSlot; f++) {          // after its 6 frames of audio the slot points away
            for (int d = 0; d < c.speakerDim; d++) {
                emb[f * c.speakerDim + d] = -emb[d];
            }
        }
        List<ChunkSegment> segs = List.of(seg(0.0, 3.0, 0));
        assertEquals(Map.of(0, 0), new VoiceMatcher(c, segs, new int[]{6 * step}, emb).match());
        assertEquals(Map.of(), new VoiceMatcher(c, segs, new int[]{perSlot * step}, emb).match());
    }

    @Test
    void labelsOfAChunkWithoutPromptsMergeOnlyAboveTheStricterThreshold() {
        assertTrue(c.mergeThreshold < 0.8 && c.unpromptedMergeThreshold > 0.8, "fixture thresholds");
        List<ChunkSegment> segs = List.of(seg(0.0, 2.0, 0), seg(2.0, 4.0, 1));
        // label 0 is voice 4; label 1 a voice at cosine 0.8 to it (between the thresholds)
        float[] unprompted = nearVoiceFrom2To4s(embeddings(k -> t(k) < 2.0 ? 4 : -1));
        VoiceMatcher start = new VoiceMatcher(c, segs, new int[0], unprompted);
        assertEquals(Map.of(), start.newLabelAliases(start.match()));
        // with a prompt (voice 1, like neither label) both labels are leftovers: the usual threshold
        float[] prompted = nearVoiceFrom2To4s(embeddings(k -> t(k) < 2.0 ? 4 : -1, 1));
        VoiceMatcher later = new VoiceMatcher(c, segs, new int[]{full}, prompted);
        Map<Integer, Integer> slotOf = later.match();
        assertEquals(Map.of(), slotOf);
        assertEquals(Map.of(1, 0), later.newLabelAliases(slotOf));
    }

    private float[] nearVoiceFrom2To4s(float[] emb) {
        for (int k = 0; k < c.encoderFrames - c.encoderChunkStart; k++) {
            if (t(k) >= 2.0 && t(k) < 4.0) {
                int f = (c.encoderChunkStart + k) * c.speakerDim;
                Arrays.fill(emb, f, f + c.speakerDim, 0f);
                emb[f + 4] = 0.8f;
                emb[f + 6] = 0.6f;
            }
        }
        return emb;
    }

    @Test
    void voiceProfilesGrowByTheFramesAPromptedSpeakerSpeaksAlone() {
        float[] emb = embeddings(k -> t(k) < 3.0 ? 4 : t(k) < 5.0 ? 6 : -1);
        CallDiarizer diarizer = new CallDiarizer(c, inputs -> List.of());
        CallState state = new CallState();
        float[] chunk = new float[c.chunkSamples()];
        // labels 0 (0-3 s) and 1 (2.5-3.1 s) overlap; label 1 speaks too briefly for a prompt
        diarizer.absorb(state, diarizer.prepare(state, chunk),
                new DecodedChunk(new int[0], new double[0], 0, List.of(seg(0.0, 3.0, 0), seg(2.5, 3.1, 1)), emb));
        double[] expected = new double[c.speakerDim];
        int alone = addChunkFramesBefore(2.5, emb, expected);
        SpeakerPrompt p = state.prompts().get(0);
        assertEquals(1, state.prompts().size());
        assertEquals(alone, p.voiceFrames());
        assertArrayEquals(expected, p.voice(), 1e-9);
        diarizer.absorb(state, diarizer.prepare(state, chunk),
                new DecodedChunk(new int[0], new double[0], 1, List.of(seg(0.0, 3.0, 0)), emb));
        int more = addChunkFramesBefore(3.0, emb, expected);
        assertEquals(alone + more, state.prompts().get(0).voiceFrames());
        assertArrayEquals(expected, state.prompts().get(0).voice(), 1e-9);
    }

    /** Adds to {@code sum} the embeddings of the chunk frames whose centre is before {@code seconds}; returns how many. */
    private int addChunkFramesBefore(double seconds, float[] emb, double[] sum) {
        int used = 0;
        for (int k = 0; k < c.encoderFrames - c.encoderChunkStart; k++) {
            if ((k + 0.5) * c.encoderFrameSeconds < seconds) {
                for (int d = 0; d < sum.length; d++) {
                    sum[d] += emb[(c.encoderChunkStart + k) * c.speakerDim + d];
                }
                used++;
            }
        }
        return used;
    }

    @Test
    void aPromptGivesWayToARegionAsLongThatSoundsMoreLikeTheProfile() {
        // speaker 0's prompt sounds like voice 5, but everything heard of them so far was voice 4
        float[] emb = embeddings(k -> t(k) < 3.0 ? 4 : -1, 5);
        float[] chunk = new float[c.chunkSamples()];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = -1f + 2f * i / (chunk.length - 1);
        }
        float[] promptAudio = new float[c.promptSamples()];
        Arrays.fill(promptAudio, 0.1f);
        for (int frames : new int[]{c.profileMinFrames, c.profileMinFrames - 1}) {
            double[] profile = new double[c.speakerDim];
            profile[4] = frames;
            CallState state = new CallState(List.of(new SpeakerPrompt(0, promptAudio, c.promptSeconds, 0, profile, frames)),
                    1, 1, List.of());
            CallDiarizer diarizer = new CallDiarizer(c, inputs -> List.of());
            List<CallSegment> out = diarizer.absorb(state, diarizer.prepare(state, chunk),
                    new DecodedChunk(new int[0], new double[0], 1, List.of(seg(0.0, 3.0, 0)), emb));
            assertEquals(List.of(0), out.stream().map(CallSegment::label).toList());
            // the clean region 0.1-2.9 s, centre-cropped to the prompt's length: as long as the prompt
            int from = (int) ((1.5 - c.promptSeconds / 2) * c.sampleRate);
            float[] region = java.util.Arrays.copyOfRange(chunk, from, from + (int) (c.promptSeconds * c.sampleRate));
            boolean replaced = java.util.Arrays.equals(region, state.prompts().get(0).audio());
            assertEquals(frames >= c.profileMinFrames, replaced, "profile of " + frames + " frames");
            assertTrue(state.prompts().get(0).voiceFrames() > frames, "the profile grows either way");
        }
    }

    @Test
    void aProfileFromAModelWithAnotherEmbeddingSizeStartsAfresh() {
        float[] emb = embeddings(k -> t(k) < 3.0 ? 4 : -1, 4);
        float[] promptAudio = new float[c.promptSamples()];
        CallState state = new CallState(List.of(new SpeakerPrompt(0, promptAudio, c.promptSeconds, 0,
                new double[c.speakerDim + 3], 500)), 1, 1, List.of());
        CallDiarizer diarizer = new CallDiarizer(c, inputs -> List.of());
        List<CallSegment> out = diarizer.absorb(state, diarizer.prepare(state, new float[c.chunkSamples()]),
                new DecodedChunk(new int[0], new double[0], 1, List.of(seg(0.0, 3.0, 0)), emb));
        assertEquals(List.of(0), out.stream().map(CallSegment::label).toList(), "matched by its prompt alone");
        double[] expected = new double[c.speakerDim];
        int frames = addChunkFramesBefore(3.0, emb, expected);
        assertEquals(frames, state.prompts().get(0).voiceFrames());
        assertArrayEquals(expected, state.prompts().get(0).voice(), 1e-9);
    }
}
