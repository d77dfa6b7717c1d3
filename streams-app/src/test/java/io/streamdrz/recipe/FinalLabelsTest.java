package io.streamdrz.recipe;

import io.streamdrz.inference.ContractFixtures;
import io.streamdrz.inference.ModelContract;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleToIntFunction;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A whole call's labels decided again at its end (the cases test_voicebank.py checks of the Python twin). */
class FinalLabelsTest {

    private static final int DIM = 16;
    private final ModelContract c = withFinalPass("0");

    private static ModelContract withFinalPass(String cepstralWeight) {
        return withFinalPass(cepstralWeight, "0");
    }

    private static ModelContract withFinalPass(String cepstralWeight, String mergeDistance) {
        Map<String, String> m = ContractFixtures.metadata("encoder");
        m.put("streamdrz.speaker.dim", Integer.toString(DIM));
        m.put("streamdrz.recluster.piece_seconds", "1.0");
        m.put("streamdrz.final.relabel", "labels");
        m.put("streamdrz.final.cepstral_weight", cepstralWeight);
        m.put("streamdrz.final.merge_distance", mergeDistance);
        return ModelContract.fromMetadata("test-encoder.onnx", m);
    }

    /** Per chunk, unit frame embeddings; the frame of call time t carries voice voiceAt(t) (-1: none). */
    private List<float[]> frames(DoubleToIntFunction voiceAt, int chunks) {
        double chunk = c.chunkSamples() / (double) c.sampleRate;
        int n = c.encoderFrames - c.encoderChunkStart;
        List<float[]> out = new ArrayList<>();
        for (int k = 0; k < chunks; k++) {
            float[] e = new float[n * DIM];
            for (int j = 0; j < n; j++) {
                int v = voiceAt.applyAsInt(k * chunk + (j + 0.5) * c.encoderFrameSeconds);
                double norm = Math.sqrt(DIM * 0.0001 + (v >= 0 ? 1.02 : 0.0));
                for (int d = 0; d < DIM; d++) {
                    e[j * DIM + d] = (float) ((0.01 + (d == v ? 1.0 : 0.0)) / norm);
                }
            }
            out.add(e);
        }
        return out;
    }

    private static CallSegment seg(double start, double end, int label) {
        return new CallSegment(start, end, label, 0.9, 0);
    }

    /** The pieces the stream cut chunk by chunk (no segment of these joined across a boundary later). */
    private List<FinalPiece> pieces(ModelContract contract, List<CallSegment> segs, List<float[]> frames,
                                    IntFunction<float[]> chunks) {
        List<FinalPiece> out = new ArrayList<>();
        for (int k = 0; k < frames.size(); k++) {
            float[] withPrompts = new float[c.encoderChunkStart * DIM + frames.get(k).length];
            System.arraycopy(frames.get(k), 0, withPrompts, c.encoderChunkStart * DIM, frames.get(k).length);
            out.addAll(FinalLabels.pieces(contract, segs, k, withPrompts, chunks == null ? null : chunks.apply(k)));
        }
        return out;
    }

    private List<CallSegment> relabel(ModelContract contract, List<CallSegment> segs, List<float[]> frames,
                                      IntFunction<float[]> chunks) {
        return FinalLabels.relabel(contract, segs, pieces(contract, segs, frames, chunks)).segments();
    }

    @Test
    void piecesAreCutWithinTheirChunkAndCarryTheLiveLabel() {
        List<CallSegment> segs = List.of(seg(0.0, 0.1, 0), seg(6.0, 10.0, 1), seg(10.0, 13.0, 0));
        List<float[]> frames = frames(t -> t < 10.0 ? 4 : 7, 2);
        List<FinalPiece> second = pieces(c, segs, frames, null).stream().filter(p -> p.start() >= 8.0).toList();
        assertEquals(List.of(8.0, 9.0, 10.0, 11.0, 12.0), second.stream().map(FinalPiece::start).toList());
        assertEquals(List.of(1, 1, 0, 0, 0), second.stream().map(FinalPiece::label).toList());
        assertEquals(4, argmax(second.get(0).voice()));
        assertEquals(7, argmax(second.get(2).voice()));
        assertTrue(second.stream().allMatch(p -> p.cepstra() == null), "no audio, no statistics");
        List<FinalPiece> first = pieces(c, segs, frames, null).stream().filter(p -> p.start() < 8.0).toList();
        assertEquals(List.of(6.0, 7.0), first.stream().map(FinalPiece::start).toList(), "0.1 s is too short");
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int d = 1; d < v.length; d++) {
            best = v[d] > v[best] ? d : best;
        }
        return best;
    }

    @Test
    void aSegmentAcrossAChunkBoundaryIsSplitByThePiecesOfBothChunks() {
        DoubleToIntFunction voice = t -> t < 2.0 || (t >= 10.0 && t < 12.0) ? 4 : 7;
        List<CallSegment> joined = List.of(seg(0.0, 2.0, 0), seg(2.0, 12.0, 1));
        assertEquals(List.of(seg(0.0, 2.0, 0), seg(2.0, 10.0, 1), seg(10.0, 12.0, 0)),
                relabel(c, joined, frames(voice, 2), null));
    }

    @Test
    void eachVoiceTakesTheLiveLabelItHoldsMostAndAMixedSegmentIsSplit() {
        // the stream gave the first voice the other voice's label in the second chunk
        DoubleToIntFunction voice = t -> t < 2.0 || (t >= 4.0 && t < 6.0) || (t >= 9.0 && t < 11.0) ? 4 : t < 4.0 ? 7 : -1;
        List<CallSegment> segs = List.of(seg(0.0, 2.0, 0), seg(2.0, 4.0, 1), seg(4.0, 6.0, 0), seg(9.0, 11.0, 1));
        assertEquals(List.of(seg(0.0, 2.0, 0), seg(2.0, 4.0, 1), seg(4.0, 6.0, 0), seg(9.0, 11.0, 0)),
                relabel(c, segs, frames(voice, 2), null));
        DoubleToIntFunction twoInOne = t -> t < 2.0 ? 4 : t < 6.0 ? 7 : -1;
        assertEquals(List.of(seg(0.0, 2.0, 0), seg(2.0, 4.0, 1), seg(4.0, 6.0, 1)),
                relabel(c, List.of(seg(0.0, 4.0, 0), seg(4.0, 6.0, 1)), frames(twoInOne, 1), null));
        List<CallSegment> sliver = List.of(seg(0.0, 0.1, 0));
        assertSame(sliver, relabel(c, sliver, frames(voice, 1), null));
    }

    @Test
    void neverMoreOrFewerSpeakersThanTheLiveLabels() {
        DoubleToIntFunction three = t -> t < 2.0 ? 4 : t < 4.0 ? 7 : t < 6.0 ? 11 : -1;
        List<CallSegment> out = relabel(c, List.of(seg(0.0, 2.0, 0), seg(2.0, 6.0, 1)), frames(three, 1), null);
        assertEquals(java.util.Set.of(0, 1), out.stream().map(CallSegment::label).collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void oneVoiceGivenTwoLiveLabelsIsOneSpeakerAgainBelowTheMergeDistance() {
        DoubleToIntFunction one = t -> t < 6.0 ? 4 : -1;
        List<CallSegment> split = List.of(seg(0.0, 2.0, 0), seg(2.0, 4.0, 1), seg(4.0, 6.0, 0));
        assertEquals(java.util.Set.of(0, 1), labels(relabel(c, split, frames(one, 1), null)));
        ModelContract merging = withFinalPass("0", "0.75");
        assertEquals(java.util.Set.of(0), labels(relabel(merging, split, frames(one, 1), null)));
        // two voices far apart (cosine distance about 1) stay two
        DoubleToIntFunction two = t -> t < 2.0 ? 4 : t < 4.0 ? 7 : -1;
        assertEquals(java.util.Set.of(0, 1),
                labels(relabel(merging, List.of(seg(0.0, 2.0, 0), seg(2.0, 4.0, 1)), frames(two, 1), null)));
    }

    private static java.util.Set<Integer> labels(List<CallSegment> segments) {
        return segments.stream().map(CallSegment::label).collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void aCallWithMorePiecesThanTheBoundIsClusteredByNeighboursJoinedAndStillRelabelled() {
        // 4 s turns of two voices for longer than MAX_PIECES seconds, one turn in five mislabelled
        int turns = FinalLabels.MAX_PIECES / 4 + 8;
        DoubleToIntFunction voice = t -> ((int) (t / 4)) % 2 == 0 ? 4 : 7;
        List<CallSegment> segs = new ArrayList<>();
        List<CallSegment> want = new ArrayList<>();
        for (int j = 0; j < turns; j++) {
            segs.add(seg(4.0 * j, 4.0 * j + 4.0, j % 5 == 4 ? 1 - j % 2 : j % 2));
            want.add(seg(4.0 * j, 4.0 * j + 4.0, j % 2));
        }
        int chunks = (int) Math.ceil(4.0 * turns / (c.chunkSamples() / (double) c.sampleRate));
        assertEquals(want, relabel(c, segs, frames(voice, chunks), null));
        assertEquals(1, FinalLabels.groupShift(4 * turns), "pieces clustered in twos");
        assertEquals(0, FinalLabels.groupShift(FinalLabels.MAX_PIECES));
        assertEquals(2, FinalLabels.groupShift(2 * FinalLabels.MAX_PIECES + 1));
    }

    /** A harmonic tone in a little noise: a voice whose spectrum, not its embedding, tells it. */
    private float[] tone(double freq, double seconds, long seed) {
        Random noise = new Random(seed);
        float[] out = new float[(int) (seconds * c.sampleRate)];
        for (int i = 0; i < out.length; i++) {
            double t = i / (double) c.sampleRate;
            double x = 0;
            for (int h = 1; h <= 3; h++) {
                x += Math.sin(2 * Math.PI * freq * h * t) / h;
            }
            out[i] = (float) (0.1 * x + 0.003 * noise.nextGaussian());
        }
        return out;
    }

    @Test
    void withACepstralWeightTwoVoicesTheEmbeddingHearsAsOneAreToldApart() {
        // every frame has one embedding; the low tone is label 0's voice, the high one label 1's,
        // and the stream gave the second chunk's high tone label 0
        ModelContract cepstral = withFinalPass("1.0");
        float[][] turns = {tone(150.0, 4.0, 1), tone(900.0, 4.0, 2), tone(150.0, 4.0, 3), tone(900.0, 4.0, 4)};
        float[][] chunks = new float[2][];
        for (int k = 0; k < 2; k++) {
            chunks[k] = new float[2 * turns[0].length];
            System.arraycopy(turns[2 * k], 0, chunks[k], 0, turns[0].length);
            System.arraycopy(turns[2 * k + 1], 0, chunks[k], turns[0].length, turns[0].length);
        }
        List<float[]> frames = frames(t -> 4, 2);
        List<CallSegment> segs = List.of(seg(0.0, 4.0, 0), seg(4.0, 8.0, 1), seg(8.0, 12.0, 0), seg(12.0, 16.0, 0));
        List<CallSegment> want = List.of(seg(0.0, 4.0, 0), seg(4.0, 8.0, 1), seg(8.0, 12.0, 0), seg(12.0, 16.0, 1));
        assertEquals(want, relabel(cepstral, segs, frames, k -> chunks[k]));
        assertNotEquals(want, relabel(cepstral, segs, frames, null));     // without the audio: the voice alone
        assertNotEquals(want, relabel(c, segs, frames, k -> chunks[k]));  // weight 0: the voice alone
    }
}
