package io.streamdrz.inference;

import io.streamdrz.audio.WavReader;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The VAD of live windows: one stream over the call, each window reading its own part. */
class LiveSpeechTest {

    private static final int RATE = 16_000;

    private static float[] call() throws Exception {
        return WavReader.read(ModelFixtures.dir().resolve("call-0.wav")).samples();
    }

    @Test
    void aSignalPushedInPiecesGetsTheProbabilitiesOfTheWhole() throws Exception {
        SileroVad vad = ModelFixtures.model().vad();
        float[] audio = Arrays.copyOf(call(), 5 * RATE);
        float[] whole = vad.probabilities(new float[][]{audio}, 0, audio.length, RATE)[0];
        SileroVad.Stream stream = vad.stream(RATE);
        List<Float> pieces = new ArrayList<>();
        for (int from = 0, step = 7_777; from < audio.length; from += step) {
            for (float p : stream.push(Arrays.copyOfRange(audio, from, Math.min(audio.length, from + step)))) {
                pieces.add(p);
            }
        }
        float[] streamed = new float[pieces.size()];
        for (int i = 0; i < streamed.length; i++) {
            streamed[i] = pieces.get(i);
        }
        assertArrayEquals(whole, streamed, 1e-5f);
    }

    @Test
    void eachWindowGetsTheStreamsSpeechInsideItShiftedToItsStart() throws Exception {
        ModelContract c = ModelFixtures.model().contract();
        SileroVad vad = ModelFixtures.model().vad();
        float[] audio = call();
        float[] probs = vad.probabilities(new float[][]{audio}, 0, audio.length, RATE)[0];
        LiveSpeech live = vad.live(c.vad, RATE);
        int hop = RATE;
        int windows = 0;
        for (int end = hop; end <= audio.length; end += hop) {
            int w0 = Math.max(0, end - c.chunkSamples());
            List<SpeechRegion> got = live.regions(Arrays.copyOfRange(audio, w0, end), w0);
            int k0 = (w0 + 511) / 512;
            double offset = (k0 * 512 - w0) / (double) RATE;
            List<SpeechRegion> want = new ArrayList<>();
            for (SpeechRegion r : SpeechRegion.fromVad(Arrays.copyOfRange(probs, k0, end / 512), 512.0 / RATE, c.vad)) {
                want.add(new SpeechRegion(r.start() + offset, r.end() + offset));
            }
            assertEquals(want.size(), got.size(), "window ending at " + end);
            for (int i = 0; i < want.size(); i++) {
                assertEquals(want.get(i).start(), got.get(i).start(), 1e-3);
                assertEquals(want.get(i).end(), got.get(i).end(), 1e-3);
            }
            windows += got.isEmpty() ? 0 : 1;
        }
        assertTrue(windows > 5, "the fixture call has speech in most windows");
    }
}
