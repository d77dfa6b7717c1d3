package io.streamdrz.speakers;

import io.streamdrz.audio.MelFrontend;
import io.streamdrz.audio.MelSpec;

/**
 * The classical baseline voice: mean and standard deviation of the cepstral
 * coefficients c1..c19 (DCT-II, orthonormal, of the model's own log-mel frames) over a
 * recording. Compare after {@link SimilarVoices} standardizes each dimension over the
 * recordings compared: raw cepstral means mostly say which channel a recording came
 * through. As {@code mfcc_stats} in {@code models/identify_eval.py}.
 */
public final class MfccStatistics {

    static final int FIRST = 1;
    static final int LAST = 19;

    private final MelFrontend frontend;
    private final double[][] dct;

    public MfccStatistics(MelSpec spec) {
        this.frontend = new MelFrontend(spec);
        int n = spec.nMels();
        dct = new double[LAST - FIRST + 1][n];
        for (int k = FIRST; k <= LAST; k++) {
            double scale = Math.sqrt(2.0 / n);
            for (int m = 0; m < n; m++) {
                dct[k - FIRST][m] = scale * Math.cos(Math.PI * k * (m + 0.5) / n);
            }
        }
    }

    /** {@code [mean c1..c19, std c1..c19]} of {@code samples} (at the spec's rate); null for under two frames. */
    public double[] of(float[] samples) {
        float[] mel = frontend.compute(samples);
        int nMels = frontend.spec().nMels();
        int frames = mel.length / nMels;
        if (frames < 2) {
            return null;
        }
        int k = dct.length;
        double[] sum = new double[k];
        double[] sq = new double[k];
        for (int t = 0; t < frames; t++) {
            for (int i = 0; i < k; i++) {
                double c = 0;
                for (int m = 0; m < nMels; m++) {
                    c += dct[i][m] * mel[t * nMels + m];
                }
                sum[i] += c;
                sq[i] += c * c;
            }
        }
        double[] out = new double[2 * k];
        for (int i = 0; i < k; i++) {
            double mean = sum[i] / frames;
            out[i] = mean;
            out[k + i] = Math.sqrt(Math.max(0, sq[i] / frames - mean * mean));
        }
        return out;
    }
}
