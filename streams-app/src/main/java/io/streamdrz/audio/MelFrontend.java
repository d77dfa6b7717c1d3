package io.streamdrz.audio;

import be.tarsos.dsp.util.fft.FFT;

/**
 * Log-mel features, the same recipe as training ({@code models/model.py MelFrontend}):
 * frame t covers samples {@code [t*hop, t*hop + win)}, zero padded past the end of the
 * input; {@code n_frames = n_samples / hop}; periodic Hann window of length win; zero
 * padded to n_fft; power spectrum {@code |rfft|^2}; HTK mel filterbank (triangles with
 * peak 1, no area normalization); {@code ln(mel + log_floor)}.
 *
 * <p>An instance owns its FFT and work buffers, so computing features allocates
 * nothing; it is therefore not thread-safe: use one per thread.
 */
public final class MelFrontend {

    private final MelSpec spec;
    private final FFT fft;
    private final float[] window;
    /** Filter m is non-zero on bins {@code filterStart[m] .. filterStart[m] + filters[m].length - 1}. */
    private final int[] filterStart;
    private final float[][] filters;
    private final float logFloor;
    /** The mel value of an all-zero frame. */
    private final float silentValue;
    private final float[] frame;
    private final float[] power;

    public MelFrontend(MelSpec spec) {
        this.spec = spec;
        this.fft = new FFT(spec.nFft());
        this.window = new float[spec.winLength()];
        for (int n = 0; n < window.length; n++) {
            window[n] = (float) (0.5 - 0.5 * Math.cos(2 * Math.PI * n / spec.winLength()));
        }
        float[][] bank = filterbank(spec);
        this.filterStart = new int[bank.length];
        this.filters = new float[bank.length][];
        for (int m = 0; m < bank.length; m++) {
            int lo = 0;
            while (lo < bank[m].length && bank[m][lo] == 0f) {
                lo++;
            }
            int hi = bank[m].length;
            while (hi > lo && bank[m][hi - 1] == 0f) {
                hi--;
            }
            filterStart[m] = lo;
            filters[m] = java.util.Arrays.copyOfRange(bank[m], lo, hi);
        }
        this.logFloor = (float) spec.logFloor();
        this.silentValue = (float) Math.log((float) 0.0 + logFloor);
        this.frame = new float[spec.nFft()];
        this.power = new float[spec.nFft() / 2 + 1];
    }

    public MelSpec spec() {
        return spec;
    }

    /**
     * The mel filterbank, {@code (n_mels, n_fft/2 + 1)}: computed in double precision and
     * rounded to float, as {@code mel_filterbank} in model.py does with numpy.
     */
    public static float[][] filterbank(MelSpec spec) {
        int nBins = spec.nFft() / 2 + 1;
        double melLo = hzToMel(spec.fMin());
        double melHi = hzToMel(spec.fMax());
        double[] hz = new double[spec.nMels() + 2];
        for (int i = 0; i < hz.length; i++) {
            // numpy.linspace: lo + i * step, the last point exactly hi
            double mel = i == hz.length - 1 ? melHi : melLo + i * ((melHi - melLo) / (hz.length - 1));
            hz[i] = melToHz(mel);
        }
        float[][] fb = new float[spec.nMels()][nBins];
        for (int m = 0; m < spec.nMels(); m++) {
            double lo = hz[m];
            double c = hz[m + 1];
            double hi = hz[m + 2];
            for (int k = 0; k < nBins; k++) {
                double f = k * (double) spec.sampleRate() / spec.nFft();
                double up = (f - lo) / (c - lo);
                double down = (hi - f) / (hi - c);
                fb[m][k] = (float) Math.max(0.0, Math.min(up, down));
            }
        }
        return fb;
    }

    static double hzToMel(double f) {
        return 2595.0 * Math.log10(1.0 + f / 700.0);
    }

    static double melToHz(double m) {
        return 700.0 * (Math.pow(10.0, m / 2595.0) - 1.0);
    }

    /** Number of frames for {@code samples} input samples. */
    public int frames(int samples) {
        return spec.frames(samples);
    }

    /** Features of the whole input, row-major {@code (frames, n_mels)}. */
    public float[] compute(float[] samples) {
        float[] out = new float[frames(samples.length) * spec.nMels()];
        compute(samples, 0, samples.length, out, 0);
        return out;
    }

    /**
     * Features of {@code samples[offset, offset + length)} written row-major into
     * {@code out} from {@code outOffset}: {@code frames(length) * n_mels} floats.
     */
    public void compute(float[] samples, int offset, int length, float[] out, int outOffset) {
        int hop = spec.hopLength();
        int win = spec.winLength();
        int nMels = spec.nMels();
        int half = spec.nFft() / 2;
        int nFrames = frames(length);
        int end = offset + length;
        for (int t = 0; t < nFrames; t++) {
            int start = offset + t * hop;
            int avail = Math.max(0, Math.min(win, end - start));
            int row = outOffset + t * nMels;
            boolean silent = true;
            for (int n = 0; n < avail; n++) {
                float x = samples[start + n];
                silent &= x == 0f;
                frame[n] = x * window[n];
            }
            if (silent) {
                // Empty prompt slots, the silences between them and padding: the FFT of zeros
                // is exactly zero, so every mel value is ln(0 + log_floor), bit for bit.
                java.util.Arrays.fill(out, row, row + nMels, silentValue);
                continue;
            }
            java.util.Arrays.fill(frame, avail, frame.length, 0f);
            // TarsosDSP's real FFT packs the spectrum as [Re0, Re(n/2), Re1, Im1, Re2, Im2, ...].
            fft.forwardTransform(frame);
            power[0] = frame[0] * frame[0];
            power[half] = frame[1] * frame[1];
            for (int k = 1; k < half; k++) {
                float re = frame[2 * k];
                float im = frame[2 * k + 1];
                power[k] = re * re + im * im;
            }
            for (int m = 0; m < nMels; m++) {
                float[] w = filters[m];
                int k0 = filterStart[m];
                double sum = 0;
                for (int i = 0; i < w.length; i++) {
                    sum += w[i] * power[k0 + i];
                }
                out[row + m] = (float) Math.log((float) sum + logFloor);
            }
        }
    }
}
