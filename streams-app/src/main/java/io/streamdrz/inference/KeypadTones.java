package io.streamdrz.inference;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the VAD windows that are a phone keypad tone (DTMF: one row and one column
 * frequency at once), which Silero now and then takes for speech, most of all over mains
 * hum. A window is a tone when, of its Hann-windowed energy above {@link #FLOOR_HZ}, at
 * least {@link #SHARE} lies in the band of one row and one column frequency and at least
 * {@link #WEAKER_SHARE} in the weaker of the two. On the real speech of the reported sets
 * no speech window passes this ({@code models/tone_eval.py}). The Python twin is
 * {@code tone_windows} in {@code models/vad.py}; thread-safe.
 */
final class KeypadTones {

    private static final double[] ROWS_HZ = {697, 770, 852, 941};
    private static final double[] COLUMNS_HZ = {1209, 1336, 1477, 1633};
    /** A key's band: its frequency's +-1.5 % tolerance and the window's main lobe. */
    private static final double BAND_HZ = 50;
    /** At 0.8 a test voice whose 3rd and 5th harmonics fall in a row and a column band passed. */
    private static final double SHARE = 0.9;
    /** A key sounds both its frequencies. */
    private static final double WEAKER_SHARE = 0.1;
    /** The energy counted lies above this: mains hum and its harmonics are no part of it. */
    private static final double FLOOR_HZ = 250;
    /** Windows after a tone that are no speech either: Silero's state rings on. */
    static final int SHADOW = 6;

    /** Groups of DFT bins: the four rows, the four columns, the bins under the floor, bin 0, bin window/2. */
    private static final int ROWS = 0;
    private static final int COLUMNS = 4;
    private static final int LOW = 8;
    private static final int DC = 9;
    private static final int NYQUIST = 10;

    // after every constant the constructor reads
    private static final KeypadTones AT_8K = new KeypadTones(8_000);
    private static final KeypadTones AT_16K = new KeypadTones(16_000);

    private final int window;
    private final double[] hann;
    /** Per bin: 2 cos(2 pi k / window), the Goertzel coefficient, and the group it counts in. */
    private final double[] coefficient;
    private final int[] group;

    private KeypadTones(int sampleRate) {
        window = SileroVad.windowSamples(sampleRate);
        hann = new double[window];
        for (int i = 0; i < window; i++) {
            hann[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (window - 1));
        }
        List<int[]> bins = new ArrayList<>();     // {bin, group}
        double binHz = sampleRate / (double) window;
        for (int k = 0; k <= window / 2; k++) {
            for (int b = 0; b < ROWS_HZ.length; b++) {
                if (Math.abs(k * binHz - ROWS_HZ[b]) <= BAND_HZ) {
                    bins.add(new int[]{k, ROWS + b});
                }
                if (Math.abs(k * binHz - COLUMNS_HZ[b]) <= BAND_HZ) {
                    bins.add(new int[]{k, COLUMNS + b});
                }
            }
            if (k * binHz < FLOOR_HZ) {
                bins.add(new int[]{k, LOW});
            }
        }
        bins.add(new int[]{0, DC});
        bins.add(new int[]{window / 2, NYQUIST});
        coefficient = new double[bins.size()];
        group = new int[bins.size()];
        for (int j = 0; j < bins.size(); j++) {
            coefficient[j] = 2 * Math.cos(2 * Math.PI * bins.get(j)[0] / window);
            group[j] = bins.get(j)[1];
        }
    }

    static KeypadTones at(int sampleRate) {
        return switch (sampleRate) {
            case 16_000 -> AT_16K;
            case 8_000 -> AT_8K;
            default -> throw new IllegalArgumentException("keypad tones are found at 8 or 16 kHz, not " + sampleRate);
        };
    }

    /** Whether the window of {@code samples} from {@code start} is a keypad tone. */
    boolean isTone(float[] samples, int start) {
        double[] energy = groupEnergies(samples, start);
        double row = 0;
        double column = 0;
        for (int b = 0; b < ROWS_HZ.length; b++) {
            row = Math.max(row, energy[ROWS + b]);
            column = Math.max(column, energy[COLUMNS + b]);
        }
        // Parseval, one-sided: (W * sum x^2 + |X_0|^2 + |X_W/2|^2) / 2, less the bins under the floor
        double total = (window * energy[NYQUIST + 1] + energy[DC] + energy[NYQUIST]) / 2 - energy[LOW];
        return total > 0 && row + column >= SHARE * total && Math.min(row, column) >= WEAKER_SHARE * total;
    }

    /**
     * Per group, the sum of |X_k|^2 of the Hann-windowed window over its bins, then the sum
     * of the windowed samples' squares. Each bin by the Goertzel recursion, all bins side by
     * side in one pass: their recursions are independent, so the processor runs them at once.
     */
    private double[] groupEnergies(float[] samples, int start) {
        int n = coefficient.length;
        double[] s1 = new double[n];
        double[] s2 = new double[n];
        double sumSquares = 0;
        for (int i = 0; i < window; i++) {
            double v = samples[start + i] * hann[i];
            sumSquares += v * v;
            for (int j = 0; j < n; j++) {
                double s0 = v + coefficient[j] * s1[j] - s2[j];
                s2[j] = s1[j];
                s1[j] = s0;
            }
        }
        double[] out = new double[NYQUIST + 2];
        for (int j = 0; j < n; j++) {
            out[group[j]] += s1[j] * s1[j] + s2[j] * s2[j] - coefficient[j] * s1[j] * s2[j];
        }
        out[NYQUIST + 1] = sumSquares;
        return out;
    }
}
