package io.streamdrz.inference;

import io.streamdrz.audio.WavReader;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keypad tones are found alone and over hum, and neither hum, one frequency nor speech is one. */
class KeypadTonesTest {

    private static final double[] ROWS = {697, 770, 852, 941};
    private static final double[] COLUMNS = {1209, 1336, 1477, 1633};

    /** {@code seconds} of a key (row, column 0.7 as loud) at {@code keyLevel}, plus hum at {@code humLevel}. */
    static float[] key(int rate, double seconds, double row, double column, double keyLevel, double humLevel) {
        float[] out = new float[(int) (seconds * rate)];
        for (int i = 0; i < out.length; i++) {
            double t = i / (double) rate;
            double k = row > 0 ? Math.sin(2 * Math.PI * row * t) : 0;
            k += column > 0 ? 0.7 * Math.sin(2 * Math.PI * column * t) : 0;
            out[i] = (float) (keyLevel * k + humLevel * hum(t));
        }
        return out;
    }

    /** Mains hum: 50 Hz and its harmonics to the 7th, falling as 1/k. */
    static double hum(double t) {
        double x = 0;
        for (int k = 1; k < 8; k++) {
            x += Math.sin(2 * Math.PI * 50 * k * t) / k;
        }
        return x;
    }

    private static boolean anyTone(int rate, float[] audio) {
        KeypadTones tones = KeypadTones.at(rate);
        int window = SileroVad.windowSamples(rate);
        for (int start = 0; start + window <= audio.length; start += window) {
            if (tones.isTone(audio, start)) {
                return true;
            }
        }
        return false;
    }

    private static boolean allTones(int rate, float[] audio) {
        KeypadTones tones = KeypadTones.at(rate);
        int window = SileroVad.windowSamples(rate);
        for (int start = 0; start + window <= audio.length; start += window) {
            if (!tones.isTone(audio, start)) {
                return false;
            }
        }
        return true;
    }

    @ParameterizedTest
    @ValueSource(ints = {8_000, 16_000})
    void everyKeyIsAToneAloneAndOverHumOfItsOwnLevel(int rate) {
        for (double row : ROWS) {
            for (double column : COLUMNS) {
                assertTrue(allTones(rate, key(rate, 0.3, row, column, 0.1, 0)), row + "+" + column);
                // hum about as loud as the key: half the energy, nearly all of it under the floor
                assertTrue(allTones(rate, key(rate, 0.3, row, column, 0.035, 0.03)), row + "+" + column + " over hum");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {8_000, 16_000})
    void humARowAloneAndSilenceAreNoTone(int rate) {
        assertFalse(anyTone(rate, key(rate, 0.3, 0, 0, 0, 0.03)));
        assertFalse(anyTone(rate, key(rate, 0.3, ROWS[0], 0, 0.1, 0)));
        assertFalse(anyTone(rate, new float[rate]));
    }

    @Test
    void speechIsNoTone() throws Exception {
        assertFalse(anyTone(16_000, WavReader.read(ModelFixtures.dir().resolve("call-0.wav")).samples()));
    }
}
