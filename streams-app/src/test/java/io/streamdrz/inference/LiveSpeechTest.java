package io.streamdrz.inference;

import io.streamdrz.audio.WavReader;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The VAD of live windows: one stream over the call, fresh at each chunk start, each window
 * reading its own part; a chunk heard whole is the final run's speech.
 */
class LiveSpeechTest {

    private static final int RATE = 16_000;

    private static float[] call() throws Exception {
        return WavReader.read(ModelFixtures.dir().resolve("call-0.wav")).samples();
    }

    @Test
    void aSignalPushedInPiecesGetsTheProbabilitiesOfTheWhole() throws Exception {
        float[] audio = Arrays.copyOf(call(), 5 * RATE);
        assertPiecesGiveTheWhole(audio);
    }

    @Test
    void keypadTonesAreSilencedAlikeInPiecesAndWhole() throws Exception {
        float[] audio = Arrays.copyOf(call(), 5 * RATE);
        // a key over hum from 1.0 s to 1.1 s: its windows and the shadow after it, across pushes
        float[] key = KeypadTonesTest.key(RATE, 0.1, 770, 1336, 0.03, 0.03);
        System.arraycopy(key, 0, audio, RATE, key.length);
        float[] whole = assertPiecesGiveTheWhole(audio);
        int window = SileroVad.windowSamples(RATE);
        for (int k = RATE / window + 1; k <= (RATE + key.length) / window - 1 + KeypadTones.SHADOW; k++) {
            assertEquals(0f, whole[k], "window " + k);
        }
    }

    private static float[] assertPiecesGiveTheWhole(float[] audio) throws Exception {
        SileroVad vad = ModelFixtures.model().vad();
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
        return whole;
    }

    @Test
    void eachWindowGetsTheStreamsSpeechInsideItShiftedToItsStart() throws Exception {
        ModelContract c = ModelFixtures.model().contract();
        SileroVad vad = ModelFixtures.model().vad();
        float[] audio = call();
        float[] probs = chunkAligned(vad, audio, c.chunkSamples());
        LiveSpeech live = vad.live(c.vad, RATE, c.chunkSamples());
        int hop = RATE;
        int windows = 0;
        for (int end = hop; end <= audio.length; end += hop) {
            int w0 = Math.max(0, end - c.chunkSamples());
            live.hear(Arrays.copyOfRange(audio, w0, end), w0);
            List<SpeechRegion> got = live.regions(w0, end);
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

    @Test
    void aChunkHeardWholeHasTheSpeechTheFinalRunsVadFindsInIt() throws Exception {
        ModelContract c = ModelFixtures.model().contract();
        SileroVad vad = ModelFixtures.model().vad();
        float[] audio = call();
        int chunk = c.chunkSamples();
        assertTrue(audio.length >= 2 * chunk, "the fixture call holds two chunks");
        LiveSpeech live = vad.live(c.vad, RATE, chunk);
        List<List<SpeechRegion>> whole = new ArrayList<>();
        for (int from = 0, step = 7_777; from < 2 * chunk; from += step) {
            int to = Math.min(2 * chunk, from + step);
            live.hear(Arrays.copyOfRange(audio, from, to), from);
            if (to < chunk) {
                assertNull(live.wholeChunk(0), "chunk 0 is not heard whole before its end");
            } else if (whole.isEmpty()) {
                whole.add(live.wholeChunk(0));
            }
        }
        whole.add(live.wholeChunk(1));
        assertNull(live.wholeChunk(0), "only the newest chunk heard whole is kept");
        for (int k = 0; k < 2; k++) {
            float[] alone = vad.probabilities(new float[][]{audio}, k * chunk, chunk, RATE)[0];
            assertEquals(SpeechRegion.fromVad(alone, 512.0 / RATE, c.vad), whole.get(k), "chunk " + k);
        }
        assertFalse(SpeechRegion.fromVad(vad.probabilities(new float[][]{audio}, chunk, chunk, RATE)[0], 512.0 / RATE,
                c.vad).isEmpty(), "the fixture call speaks in its second chunk");
    }

    @Test
    void aStreamThatStartedInsideAChunkDoesNotClaimIt() throws Exception {
        ModelContract c = ModelFixtures.model().contract();
        int chunk = c.chunkSamples();
        float[] audio = call();
        LiveSpeech live = ModelFixtures.model().vad().live(c.vad, RATE, chunk);
        live.hear(Arrays.copyOfRange(audio, RATE, chunk), RATE);
        assertNull(live.wholeChunk(0));
        live.hear(Arrays.copyOfRange(audio, chunk, 2 * chunk), chunk);
        assertNotNull(live.wholeChunk(1), "the next chunk, heard from its start, is whole");
    }

    /** The VAD's probabilities with a fresh state at every chunk start, back to back. */
    private static float[] chunkAligned(SileroVad vad, float[] audio, int chunk) {
        float[] out = new float[audio.length / 512];
        for (int k = 0; k * chunk < audio.length; k++) {
            int n = Math.min(chunk, audio.length - k * chunk);
            float[] p = vad.probabilities(new float[][]{audio}, k * chunk, n, RATE)[0];
            System.arraycopy(p, 0, out, k * chunk / 512, p.length);
        }
        return out;
    }
}
