package io.streamdrz.eval;

import io.streamdrz.eval.DiarizationScorer.DefaultRegion;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Hand-computed cases (the same as models/tests/test_der.py, so both scorers answer alike). */
class DiarizationScorerTest {

    private static final double EPS = 1e-9;
    private static final List<SpeakerTurn> REF = List.of(t(0, 4, "a"), t(5, 9, "b"), t(9, 12, "a"));

    static SpeakerTurn t(double s, double e, String spk) {
        return new SpeakerTurn(s, e, spk);
    }

    static DerResult score(List<SpeakerTurn> ref, List<SpeakerTurn> hyp, double collar) {
        return DiarizationScorer.score(ref, hyp, collar, null, DefaultRegion.UNION);
    }

    @Test
    void perfectHypothesisIsZero() {
        List<SpeakerTurn> hyp = List.of(t(0, 4, "spk7"), t(5, 9, "spk2"), t(9, 12, "spk7"));
        for (double collar : new double[]{0, 0.25}) {
            DerResult r = score(REF, hyp, collar);
            assertEquals(0, r.der(), EPS);
            assertEquals(Map.of("a", "spk7", "b", "spk2"), r.mapping());
            // collar 0.25 removes 0.25 at 0, 4, 5, 12 and 0.5 at 9 (end of b = start of a)
            assertEquals(collar == 0 ? 11.0 : 9.5, r.total(), EPS);
        }
    }

    @Test
    void emptyHypothesisIsAllMissed() {
        DerResult r = score(REF, List.of(), 0);
        assertEquals(11.0, r.total(), EPS);
        assertEquals(11.0, r.missed(), EPS);
        assertEquals(0, r.falseAlarm() + r.confusion(), EPS);
        assertEquals(1.0, r.der(), EPS);
        assertEquals(Map.of(), r.mapping());
    }

    @Test
    void pureFalseAlarm() {
        List<SpeakerTurn> ref = List.of(t(0, 10, "a"));
        DerResult r = score(ref, List.of(t(0, 10, "x"), t(20, 25, "y")), 0);
        assertEquals(5.0, r.falseAlarm(), EPS);
        assertEquals(0.5, r.der(), EPS);
        r = score(ref, List.of(t(0, 10, "x"), t(2, 3, "y")), 0);
        assertEquals(1.0, r.falseAlarm(), EPS);
        assertEquals(0, r.confusion(), EPS);
    }

    @Test
    void noReferenceSpeech() {
        assertEquals(0.0, score(List.of(), List.of(), 0).der());
        DerResult r = score(List.of(), List.of(t(1, 2, "x")), 0);
        assertEquals(0, r.total());
        assertEquals(1.0, r.falseAlarm(), EPS);
        assertEquals(1.0, r.der());
    }

    @Test
    void overlappedReferenceAgainstOneHypothesisSpeaker() {
        DerResult r = score(List.of(t(0, 10, "a"), t(6, 15, "b")), List.of(t(0, 15, "x")), 0);
        assertEquals(Map.of("a", "x"), r.mapping());
        assertEquals(19.0, r.total(), EPS);
        assertEquals(4.0, r.missed(), EPS);
        assertEquals(5.0, r.confusion(), EPS);
        assertEquals(0, r.falseAlarm(), EPS);
        assertEquals(9.0 / 19.0, r.der(), EPS);
    }

    @Test
    void overlappedHypothesisOverOneReferenceSpeaker() {
        DerResult r = score(List.of(t(0, 10, "a")), List.of(t(0, 10, "x"), t(4, 6, "y")), 0);
        assertEquals(2.0, r.falseAlarm(), EPS);
        assertEquals(0, r.confusion(), EPS);
    }

    @Test
    void collarEdges() {
        List<SpeakerTurn> ref = List.of(t(0, 10, "a"));
        assertEquals(0.2, score(ref, List.of(t(0, 10.2, "x")), 0).falseAlarm(), EPS);
        assertEquals(0.0, score(ref, List.of(t(0, 10.2, "x")), 0.25).der(), EPS);
        DerResult r = score(ref, List.of(t(0, 10.3, "x")), 0.25);
        assertEquals(0.05, r.falseAlarm(), EPS);
        assertEquals(9.5, r.total(), EPS);
        assertEquals(0.0, score(ref, List.of(t(0.24, 10, "x")), 0.25).missed(), EPS);
        assertEquals(0.05, score(ref, List.of(t(0.3, 10, "x")), 0.25).missed(), EPS);
        // no collar around hypothesis boundaries
        assertEquals(5.0 - 0.25, score(ref, List.of(t(0, 5, "x"), t(5, 10, "y")), 0.25).confusion(), EPS);
    }

    @Test
    void touchingSameSpeakerTurnsKeepTheirCollar() {
        DerResult r = score(List.of(t(0, 5, "a"), t(5, 10, "a")), List.of(t(0, 10, "x")), 0.25);
        assertEquals(9.0, r.total(), EPS);
        assertEquals(0, r.der(), EPS);
    }

    @Test
    void floatNoiseDoesNotMergeTouchingTurns() throws Exception {
        List<SpeakerTurn> ref = Rttm.parse(List.of("SPEAKER f 1 17.359 4.335 <NA> <NA> a <NA> <NA>",
                "SPEAKER f 1 21.694 1.132 <NA> <NA> a <NA> <NA>"), "t").get("f");
        assertNotEquals(21.694, ref.get(0).end());
        DerResult r = score(ref, List.of(t(17.359, 22.826, "x")), 0.25);
        assertEquals(5.467 - 0.25 - 0.5 - 0.25, r.total(), EPS);
    }

    @Test
    void overlappingSameSpeakerTurnsAreMerged() {
        DerResult r1 = score(List.of(t(0, 5, "a"), t(3, 8, "a")), List.of(t(0, 8, "x")), 0);
        assertEquals(8.0, r1.total(), EPS);
        assertEquals(0, r1.der(), EPS);
    }

    @Test
    void anExtraHypothesisSpeakerIsConfusion() {
        DerResult r = score(List.of(t(0, 10, "a")), List.of(t(0, 6, "x"), t(6, 10, "y")), 0);
        assertEquals(Map.of("a", "x"), r.mapping());
        assertEquals(4.0, r.confusion(), EPS);
        assertEquals(0.4, r.der(), EPS);
    }

    @Test
    void unmappedReferenceSpeakers() {
        DerResult r = score(List.of(t(0, 4, "a"), t(4, 10, "b"), t(10, 12, "c")), List.of(t(0, 12, "x")), 0);
        assertEquals(Map.of("b", "x"), r.mapping());
        assertEquals(6.0, r.confusion(), EPS);
        assertEquals(0, r.missed(), EPS);
        assertEquals(0.5, r.der(), EPS);
    }

    @Test
    void theMappingIsOptimalNotGreedy() {
        DerResult r = score(List.of(t(0, 6, "a"), t(6, 11, "b"), t(11, 16, "a")),
                List.of(t(0, 11, "x"), t(11, 16, "y")), 0);
        assertEquals(Map.of("a", "y", "b", "x"), r.mapping());
        assertEquals(6.0, r.confusion(), EPS);
    }

    @Test
    void theMappingIsComputedWithoutCollars() {
        // checked against md-eval.pl v22 (models/tests/test_der.py)
        List<SpeakerTurn> ref = List.of(t(0, 0.5, "a"), t(1, 1.5, "a"), t(2, 4.2, "b"));
        List<SpeakerTurn> hyp = List.of(t(0, 0.5, "x"), t(1, 1.5, "x"), t(2.5, 3.4, "x"), t(2, 2.2, "y"));
        DerResult r = DiarizationScorer.score(ref, hyp, 0.25, List.of(new Interval(0, 10)), DefaultRegion.UNION);
        assertEquals(Map.of("a", "x", "b", "y"), r.mapping());
        assertEquals(1.7, r.total(), EPS);
        assertEquals(0.9, r.confusion(), EPS);
        assertEquals(0.8, r.missed(), EPS);
        assertEquals(1.0, r.der(), EPS);
    }

    @Test
    void uemRestrictsScoring() {
        List<SpeakerTurn> ref = List.of(t(0, 10, "a"));
        List<SpeakerTurn> hyp = List.of(t(0, 5, "x"), t(5, 10, "y"), t(12, 14, "x"));
        DerResult full = score(ref, hyp, 0);
        assertEquals(5.0, full.confusion(), EPS);
        assertEquals(2.0, full.falseAlarm(), EPS);
        DerResult part = DiarizationScorer.score(ref, hyp, 0, List.of(new Interval(0, 5)), DefaultRegion.UNION);
        assertEquals(5.0, part.total(), EPS);
        assertEquals(0, part.der(), EPS);
        DerResult two = DiarizationScorer.score(ref, hyp, 0, List.of(new Interval(1, 3), new Interval(6, 7)),
                DefaultRegion.UNION);
        assertEquals(3.0, two.total(), EPS);
        assertEquals(1.0, two.confusion(), EPS);
        assertEquals(0, two.falseAlarm(), EPS);
    }

    @Test
    void defaultRegionUnionVersusReferenceExtent() {
        List<SpeakerTurn> ref = List.of(t(2, 10, "a"));
        List<SpeakerTurn> hyp = List.of(t(0, 10, "x"), t(10, 11, "x"));
        assertEquals(3.0, DiarizationScorer.score(ref, hyp, 0, null, DefaultRegion.UNION).falseAlarm(), EPS);
        assertEquals(0.0, DiarizationScorer.score(ref, hyp, 0, null, DefaultRegion.REF).falseAlarm(), EPS);
        assertThrows(IllegalArgumentException.class, () -> score(ref, hyp, -1));
    }

    @Test
    void totalsAreTimeWeighted() {
        var s = DiarizationScorer.scoreFiles(Map.of("f1", List.of(t(0, 10, "a")), "f2", List.of(t(0, 90, "b"))),
                Map.of("f1", List.of(), "f2", List.of(t(0, 90, "z")), "ghost", List.of(t(0, 5, "x"))),
                0, null, DefaultRegion.UNION);
        assertEquals(List.of("f1", "f2"), List.copyOf(s.perFile().keySet()));
        assertEquals(1.0, s.perFile().get("f1").der(), EPS);
        assertEquals(0.0, s.perFile().get("f2").der(), EPS);
        assertEquals(0.1, s.total().der(), EPS);
        assertEquals(100.0, s.total().total(), EPS);
    }

    @Test
    void jerHandComputed() {
        List<SpeakerTurn> ref = List.of(t(0, 10, "a"), t(20, 30, "b"));
        JerResult r = DiarizationScorer.jer(ref, List.of(t(0, 5, "x")), null, DefaultRegion.UNION);
        assertEquals(0.5, r.speakerErrors().get("a"), EPS);
        assertEquals(1.0, r.speakerErrors().get("b"), EPS);
        assertEquals(Map.of("a", "x"), r.mapping());
        assertEquals(0.75, r.jer(), EPS);
        assertEquals(0.5, DiarizationScorer.jer(List.of(t(0, 10, "a")), List.of(t(0, 20, "x")), null,
                DefaultRegion.UNION).jer(), EPS);
    }

    @Test
    void jerMappingMinimisesTheJaccardError() {
        List<SpeakerTurn> ref = List.of(t(0, 6, "a"), t(20, 22, "b"));
        List<SpeakerTurn> hyp = List.of(t(0, 4, "x"), t(20, 22, "x"), t(4, 6, "y"));
        JerResult r = DiarizationScorer.jer(ref, hyp, null, DefaultRegion.UNION);
        assertEquals(Map.of("a", "y", "b", "x"), r.mapping());
        assertEquals(2.0 / 3.0, r.jer(), EPS);
    }

    @Test
    void jerEdgeCasesFollowDscore() {
        assertEquals(0.0, DiarizationScorer.jer(List.of(), List.of(), null, DefaultRegion.UNION).jer());
        assertEquals(1.0, DiarizationScorer.jer(List.of(), List.of(t(0, 1, "x")), null, DefaultRegion.UNION).jer());
        assertEquals(1.0, DiarizationScorer.jer(List.of(t(0, 1, "a"), t(2, 3, "b")), List.of(), null,
                DefaultRegion.UNION).jer());
        var s = DiarizationScorer.jerFiles(Map.of("f", List.of(t(0, 1, "a")), "g", List.of(t(0, 1, "b"))),
                Map.of("f", List.of(t(0, 1, "x"))), null, DefaultRegion.UNION);
        assertEquals(0.0, s.perFile().get("f").jer(), EPS);
        assertEquals(1.0, s.perFile().get("g").jer(), EPS);
        assertEquals(0.5, s.total().jer(), EPS);
    }
}
