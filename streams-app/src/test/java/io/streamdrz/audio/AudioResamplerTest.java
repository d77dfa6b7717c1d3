package io.streamdrz.audio;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AudioResamplerTest {

    private static float[] sine(double hz, int rate, double seconds, double amplitude) {
        float[] x = new float[(int) Math.round(seconds * rate)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / rate));
        }
        return x;
    }

    /** RMS error against the ideal sine at the new rate, away from the edges (filter start-up). */
    private static double rmsError(float[] y, double hz, int rate, double amplitude) {
        double sum = 0;
        int n = 0;
        for (int i = rate / 20; i < y.length - rate / 20; i++) {
            double d = y[i] - amplitude * Math.sin(2 * Math.PI * hz * i / rate);
            sum += d * d;
            n++;
        }
        return Math.sqrt(sum / n);
    }

    @Test
    void upsamplingTelephoneAudioKeepsTimeAndPitch() {
        float[] x = sine(440, 8000, 1.0, 0.5);
        float[] y = AudioResampler.resample(x, 8000, 16000);
        assertEquals(16000, y.length);
        assertTrue(rmsError(y, 440, 16000, 0.5) < 0.005, "rms " + rmsError(y, 440, 16000, 0.5));
    }

    @Test
    void downsamplingKeepsTheBandAndRemovesWhatCannotBeRepresented() {
        float[] inBand = AudioResampler.resample(sine(1000, 44100, 1.0, 0.5), 44100, 16000);
        assertEquals(16000, inBand.length);
        assertTrue(rmsError(inBand, 1000, 16000, 0.5) < 0.005, "rms " + rmsError(inBand, 1000, 16000, 0.5));
        // 12 kHz is above the new Nyquist (8 kHz): it must be filtered, not folded to 4 kHz
        float[] above = AudioResampler.resample(sine(12000, 48000, 1.0, 0.5), 48000, 16000);
        double rms = 0;
        for (int i = 800; i < above.length - 800; i++) {
            rms += above[i] * above[i];
        }
        rms = Math.sqrt(rms / (above.length - 1600));
        assertTrue(rms < 0.01, "aliased energy " + rms);
    }

    @Test
    void oddRatesGiveTheExpectedLength() {
        assertEquals(Math.round(12345 * 16000.0 / 22050), AudioResampler.resample(new float[12345], 22050, 16000).length);
        assertEquals(Math.round(777 * 16000.0 / 11025), AudioResampler.resample(new float[777], 11025, 16000).length);
        assertEquals(0, AudioResampler.resample(new float[0], 8000, 16000).length);
    }

    @Test
    void sameRateIsACopy() {
        float[] x = {1, 2, 3};
        float[] y = AudioResampler.resample(x, 16000, 16000);
        assertArrayEquals(x, y);
        assertTrue(x != y);
    }

    @Test
    void aStreamFedInPiecesMatchesTheWholeClip() {
        float[] x = sine(300, 8000, 0.5, 0.3);
        float[] whole = new AudioResampler(8000, 16000).process(x, 0, x.length, true);
        AudioResampler streaming = new AudioResampler(8000, 16000);
        float[] joined = new float[0];
        int step = 160;
        for (int off = 0; off < x.length; off += step) {
            int len = Math.min(step, x.length - off);
            float[] part = streaming.process(x, off, len, off + len >= x.length);
            float[] next = java.util.Arrays.copyOf(joined, joined.length + part.length);
            System.arraycopy(part, 0, next, joined.length, part.length);
            joined = next;
        }
        assertEquals(whole.length, joined.length);
        for (int i = 0; i < whole.length; i++) {
            assertEquals(whole[i], joined[i], 1e-4, "sample " + i);
        }
    }
}
