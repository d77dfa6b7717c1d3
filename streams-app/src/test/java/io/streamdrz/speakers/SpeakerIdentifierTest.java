package io.streamdrz.speakers;

import io.streamdrz.inference.IdentifySpec;

import io.streamdrz.speakers.SpeakerIdentifier.Identity;
import io.streamdrz.speakers.SpeakerIdentifier.Voice;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The open-set rule: threshold, hysteresis, one label per enrolled speaker, deletion. */
class SpeakerIdentifierTest {

    private static final IdentifySpec SPEC = new IdentifySpec(0.6, 0.05, 25);
    private static final SpeakerIdentifier ID = new SpeakerIdentifier(SPEC);
    private static final EnrolledVoice ANA = new EnrolledVoice("ana", "Ana", "m", new double[] {1, 0, 0});
    private static final EnrolledVoice BO = new EnrolledVoice("bo", "Bo", "m", new double[] {0, 1, 0});

    /** A profile whose cosine with ANA is {@code c} and with BO is 0. */
    private static Voice voice(int label, double c, int frames) {
        return new Voice(label, new double[] {c * frames, 0, Math.sqrt(1 - c * c) * frames}, frames);
    }

    @Test
    void aVoiceAboveTheThresholdIsNamedAndOneBelowIsNot() {
        List<Identity> out = ID.identify(List.of(voice(0, 0.8, 100), voice(1, 0.5, 100)), List.of(ANA, BO), List.of());
        assertEquals(1, out.size());
        assertEquals("ana", out.get(0).speakerId());
        assertEquals(0, out.get(0).label());
        assertEquals(0.8, out.get(0).score(), 1e-9);
    }

    @Test
    void tooLittleVoiceIsNotJudged() {
        assertEquals(List.of(), ID.identify(List.of(voice(0, 0.9, SPEC.minFrames() - 1)), List.of(ANA), List.of()));
    }

    @Test
    void aNamedLabelKeepsItsNameWithinTheHysteresisAndLosesItBelow() {
        List<Identity> named = ID.identify(List.of(voice(0, 0.7, 100)), List.of(ANA), List.of());
        List<Identity> kept = ID.identify(List.of(voice(0, 0.6 - SPEC.hysteresis() / 2, 100)), List.of(ANA), named);
        assertEquals("ana", kept.get(0).speakerId(), "a little below the threshold: sticks");
        assertEquals(List.of(), ID.identify(List.of(voice(0, 0.5, 100)), List.of(ANA), named), "clearly below: dropped");
        assertEquals(List.of(), ID.identify(List.of(voice(0, 0.58, 100)), List.of(ANA), List.of()),
                "the same score without a previous name: not named");
    }

    @Test
    void anotherPrintMustBeatTheKeptOneClearly() {
        EnrolledVoice close = new EnrolledVoice("cy", "Cy", "m", Vectors.unit(new double[] {1, 0, 0.1}));
        Voice v = new Voice(0, new double[] {1, 0, 0.12}, 100);
        List<Identity> prev = List.of(new Identity(0, "ana", "Ana", 0.99));
        assertEquals("ana", ID.identify(List.of(v), List.of(ANA, close), prev).get(0).speakerId(),
                "cy is a little closer: ana sticks");
    }

    @Test
    void oneEnrolledSpeakerNamesOneLabelTheBestMatch() {
        List<Identity> out = ID.identify(List.of(voice(0, 0.7, 100), voice(1, 0.9, 100)), List.of(ANA), List.of());
        assertEquals(1, out.size());
        assertEquals(1, out.get(0).label());
    }

    @Test
    void aDeletedPrintTakesItsNameOffAtOnce() {
        List<Identity> named = List.of(new Identity(0, "ana", "Ana", 0.9));
        assertEquals(List.of(), ID.identify(List.of(voice(0, 0.9, 100)), List.of(BO), named));
        assertEquals(List.of(), ID.identify(List.of(), List.of(BO), named), "even for a label not judged this chunk");
        assertEquals(named, ID.identify(List.of(), List.of(ANA), named), "kept while its print exists");
    }
}
