package io.streamdrz.speakers;

import io.streamdrz.audio.AudioFileReader;
import io.streamdrz.inference.ModelFixtures;

import java.nio.file.Path;
import java.util.List;

/**
 * The recordings {@code models/speaker_fixtures.py} wrote from held-out test identities:
 * per voice an enrolment recording and another recording, and a call in which
 * {@link #CALLER} talks with {@link #STRANGER}.
 */
public final class SpeakerFixtures {

    public static final List<String> VOICES = List.of("july", "armelle", "flite_awb", "espeak_it_f4_hi");
    public static final String CALLER = "july";
    public static final String STRANGER = "flite_awb";

    private SpeakerFixtures() {
    }

    public static Path dir() {
        return ModelFixtures.repoRoot().resolve("streams-app/src/test/resources/speaker-fixtures");
    }

    public static Path enrolment(String voice) {
        return dir().resolve(voice + "-enrol.wav");
    }

    public static Path other(String voice) {
        return dir().resolve(voice + "-other.wav");
    }

    public static Path call() {
        return dir().resolve("call.wav");
    }

    public static float[] audio(Path file) throws Exception {
        return AudioFileReader.read(file, null, 16_000).samples();
    }
}
