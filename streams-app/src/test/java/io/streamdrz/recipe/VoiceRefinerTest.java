package io.streamdrz.recipe;

import io.streamdrz.inference.ChunkSegment;
import io.streamdrz.inference.ContractFixtures;
import io.streamdrz.inference.ModelContract;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The same cases as the refine_by_voice tests in models/tests/test_prompts.py. */
class VoiceRefinerTest {

    private final ModelContract c = ContractFixtures.contract();
    private final double f = c.encoderFrameSeconds;

    private static ChunkSegment seg(double start, double end, int label) {
        return new ChunkSegment(start, end, label, 0.9);
    }

    /** Segments as "start-end:label" with times to 0.01 s. */
    private static List<String> refine(ModelContract c, List<ChunkSegment> segs, float[] emb,
                                       IntFunction<double[]> profiles) {
        List<String> out = new ArrayList<>();
        for (ChunkSegment s : VoiceRefiner.refine(c, segs, emb, profiles)) {
            out.add(String.format("%.2f-%.2f:%d", s.start(), s.end(), s.label()));
        }
        return out;
    }

    private String at(int frame) {
        return String.format("%.2f", frame * f);
    }

    /** A voice profile along voice axis {@code voice}. */
    private double[] profile(int voice) {
        double[] p = new double[c.speakerDim];
        p[voice] = 30.0;
        return p;
    }

    @Test
    void aSegmentSplitsWhereTheVoiceChanges() {
        // call start, no profiles: label 1's segment holds voice 3 and then voice 2 from frame 44 on
        float[] emb = VoiceEmbeddings.of(c, k -> k < 13 ? 2 : k < 44 ? 3 : k < 75 ? 2 : -1);
        List<ChunkSegment> segs = List.of(seg(0.0, 1.0, 0), seg(1.5, 6.0, 1));
        assertEquals(List.of("0.00-1.00:0", "1.50-" + at(44) + ":1", at(44) + "-6.00:0"),
                refine(c, segs, emb, label -> null));
    }

    @Test
    void runsShorterThanMinRunAndLoneSpeakersStay() {
        int shortRun = c.refineMinRun - 1;
        List<ChunkSegment> segs = List.of(seg(0.0, 1.0, 0), seg(1.5, 6.0, 1));
        float[] emb = VoiceEmbeddings.of(c, k -> k < 13 || (k >= 30 && k < 30 + shortRun) ? 2 : k < 75 ? 3 : -1);
        assertEquals(List.of("0.00-1.00:0", "1.50-6.00:1"), refine(c, segs, emb, label -> null));

        float[] longer = VoiceEmbeddings.of(c, k -> k < 13 || (k >= 30 && k < 30 + c.refineMinRun) ? 2 : k < 75 ? 3 : -1);
        List<Integer> labels = new ArrayList<>();
        for (ChunkSegment s : VoiceRefiner.refine(c, segs, longer, label -> null)) {
            labels.add(s.label());
        }
        assertEquals(List.of(0, 1, 0, 1), labels);
        // one speaker in the chunk: nothing to compare with
        assertEquals(List.of("1.50-6.00:1"), refine(c, List.of(seg(1.5, 6.0, 1)), longer, label -> null));
    }

    @Test
    void withProfilesFramesMoveOnlyBetweenProfiledSpeakersPresentInTheChunk() {
        // speakers 0 (voice 2) and 1 (voice 3) have profiles; new speaker 2 has none. Label 0's
        // segment ends in voice 3; label 2's segment is voice 2 but keeps its label
        float[] emb = VoiceEmbeddings.of(c, k -> k < 25 ? 2 : k < 62 ? 3 : k < 75 ? 2 : -1);
        Map<Integer, double[]> profiles = Map.of(0, profile(2), 1, profile(3));
        List<ChunkSegment> segs = List.of(seg(0.0, 4.0, 0), seg(4.2, 4.8, 1), seg(5.0, 6.0, 2));
        assertEquals(List.of("0.00-" + at(25) + ":0", at(25) + "-4.00:1", "4.20-4.80:1", "5.00-6.00:2"),
                refine(c, segs, emb, profiles::get));
        // only speakers present in the chunk are compared with: without label 1, nothing moves
        assertEquals(List.of("0.00-4.00:0", "5.00-6.00:2"),
                refine(c, List.of(seg(0.0, 4.0, 0), seg(5.0, 6.0, 2)), emb, profiles::get));
    }
}
