package io.streamdrz.speakers;

import io.streamdrz.inference.ModelFixtures;
import io.streamdrz.schema.Voiceprint;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Enrolment on the real model: a clean recording is a print; two voices, too little speech or another model are refused. */
class EnrollmentTest {

    private final Enrollment enrollment = new Enrollment(
            new VoiceEmbedder(ModelFixtures.engine().contract(), ModelFixtures.engine()),
            ModelFixtures.engine().contract().identify, Clock.fixed(Instant.ofEpochMilli(1234), ZoneOffset.UTC));

    @Test
    void aCleanRecordingBecomesAPrintOfThisModel() throws Exception {
        Enrollment.Recording r = enrollment.embed("july", SpeakerFixtures.audio(SpeakerFixtures.enrolment("july")));
        assertTrue(r.seconds() >= Enrollment.MIN_SECONDS, "seconds " + r.seconds());
        assertEquals(1.0, Vectors.norm(r.voice()), 1e-9);
        Voiceprint p = enrollment.print("j-1", "July", List.of(r), null);
        assertEquals(ModelFixtures.engine().contract().modelId, p.getModelId());
        assertEquals(1, p.getEmbeddings().size());
        assertEquals(1234L, p.getCreatedMs());

        Voiceprint twice = enrollment.print("j-1", "July", List.of(r), p);
        assertEquals(2, twice.getEmbeddings().size(), "a further enrolment adds its recordings");
        assertEquals(2 * p.getSpeechSeconds(), twice.getSpeechSeconds(), 1e-9);
    }

    @Test
    void aRecordingOfOneVoiceThatTheModelSplitsIsStillOneVoice() throws Exception {
        // the model gives armelle's enrolment recording two labels; their voices are alike
        Enrollment.Recording r = enrollment.embed("armelle", SpeakerFixtures.audio(SpeakerFixtures.enrolment("armelle")));
        assertTrue(r.seconds() >= Enrollment.MIN_SECONDS);
    }

    @Test
    void twoVoicesAreRefused() throws Exception {
        Enrollment.RefusedException e = assertThrows(Enrollment.RefusedException.class,
                () -> enrollment.embed("call.wav", SpeakerFixtures.audio(SpeakerFixtures.call())));
        assertTrue(e.getMessage().startsWith("call.wav: more than one voice"), e.getMessage());
    }

    @Test
    void tooLittleSpeechIsRefused() throws Exception {
        float[] audio = SpeakerFixtures.audio(SpeakerFixtures.enrolment("july"));
        Enrollment.RefusedException e = assertThrows(Enrollment.RefusedException.class,
                () -> enrollment.embed("short.wav", Arrays.copyOf(audio, 3 * 16_000)));
        assertTrue(e.getMessage().contains("enrolment needs 5 s at least"), e.getMessage());
    }

    @Test
    void addingToAPrintOfAnotherModelIsRefused() throws Exception {
        Enrollment.Recording r = enrollment.embed("july", SpeakerFixtures.audio(SpeakerFixtures.enrolment("july")));
        Voiceprint old = Voiceprint.newBuilder().setSpeakerId("j-1").setDisplayName("July").setModelId("older-model")
                .setEmbeddings(List.of(List.of(1f, 0f))).setSpeechSeconds(9).setCreatedMs(1).build();
        Enrollment.RefusedException e = assertThrows(Enrollment.RefusedException.class,
                () -> enrollment.print("j-1", "July", List.of(r), old));
        assertTrue(e.getMessage().contains("was enrolled with model older-model"), e.getMessage());
        assertTrue(e.getMessage().contains("--replace"), e.getMessage());
    }
}
