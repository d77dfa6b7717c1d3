package io.streamdrz.recipe;

import io.streamdrz.audio.MelFrontend;
import io.streamdrz.audio.MelSpec;

import java.util.List;

/**
 * A chunk's cepstra c1..c19 (DCT-II, orthonormal, of the model's own log-mel frames) and
 * their mean and deviation over a piece of it: the voice bank's second view of a voice
 * ({@code recluster.cepstral_weight}). Why: the model's voice embedding learned about a
 * hundred training voices, and two unseen voices of one call that it hears as close still
 * differ in their spectra. The Python twin is {@code cepstral_frames}, {@code cepstral_stats}
 * and {@code cepstral_distances} in {@code models/voicebank.py}.
 */
final class CepstralStatistics {

    static final int FIRST = 1;
    static final int LAST = 19;
    /** A piece's statistics are kept as 16-bit integers, value x 256 (their values stay under 50). */
    static final double SCALE = 256.0;

    private final double[][] cepstra;
    private final double[] centre;

    /** The cepstra of {@code chunk}'s log-mel frames, each with its centre in chunk seconds. */
    CepstralStatistics(MelSpec spec, float[] chunk) {
        float[] mel = new MelFrontend(spec).compute(chunk);
        int nMels = spec.nMels();
        double[][] dct = new double[LAST - FIRST + 1][nMels];
        for (int k = FIRST; k <= LAST; k++) {
            for (int m = 0; m < nMels; m++) {
                dct[k - FIRST][m] = Math.sqrt(2.0 / nMels) * Math.cos(Math.PI * k * (2 * m + 1) / (2.0 * nMels));
            }
        }
        int frames = mel.length / nMels;
        cepstra = new double[frames][LAST - FIRST + 1];
        centre = new double[frames];
        for (int t = 0; t < frames; t++) {
            centre[t] = (t * (double) spec.hopLength() + spec.winLength() / 2.0) / spec.sampleRate();
            for (int k = 0; k < dct.length; k++) {
                double c = 0;
                for (int m = 0; m < nMels; m++) {
                    c += dct[k][m] * mel[t * nMels + m];
                }
                cepstra[t][k] = c;
            }
        }
    }

    /** Mean and deviation of the cepstra of the frames centred in [a, b), x 256 and rounded. */
    short[] over(double a, double b) {
        int k = LAST - FIRST + 1;
        double[] mean = new double[k];
        double[] dev = new double[k];
        int n = 0;
        for (int t = 0; t < centre.length; t++) {
            if (centre[t] >= a && centre[t] < b) {
                for (int i = 0; i < k; i++) {
                    mean[i] += cepstra[t][i];
                }
                n++;
            }
        }
        for (int i = 0; i < k && n > 0; i++) {
            mean[i] /= n;
        }
        for (int t = 0; t < centre.length; t++) {
            if (centre[t] >= a && centre[t] < b) {
                for (int i = 0; i < k; i++) {
                    dev[i] += (cepstra[t][i] - mean[i]) * (cepstra[t][i] - mean[i]);
                }
            }
        }
        short[] out = new short[2 * k];
        for (int i = 0; i < k; i++) {
            out[i] = quantize(mean[i]);
            out[k + i] = quantize(n > 0 ? Math.sqrt(dev[i] / n) : 0.0);
        }
        return out;
    }

    private static short quantize(double v) {
        return (short) Math.max(-32767, Math.min(32767, Math.floor(SCALE * v + 0.5)));
    }

    /**
     * The voice distances made {@code (voice + w cepstral) / (1 + w)} in place, the cepstral
     * ones of {@code rows} ({@link #distances}), one row per row of {@code dist}. In place,
     * without a second matrix: a whole call's final pass fuses up to 4096 rows.
     */
    static void fuse(double[][] dist, List<short[]> rows, double w) {
        double[][] x = units(rows);
        for (int i = 0; i < dist.length; i++) {
            for (int j = 0; j < dist.length; j++) {
                dist[i][j] = (dist[i][j] + w * (1.0 - VoiceBank.dot(x[i], x[j]))) / (1.0 + w);
            }
        }
    }

    /**
     * Cosine distances of the rows' statistics, each dimension standardized over the rows
     * first: a call's raw cepstral means mostly describe its channel; what differs between
     * its pieces is what tells its voices apart.
     */
    static double[][] distances(List<short[]> rows) {
        double[][] x = units(rows);
        double[][] dist = new double[x.length][x.length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x.length; j++) {
                dist[i][j] = 1.0 - VoiceBank.dot(x[i], x[j]);
            }
        }
        return dist;
    }

    /** The rows' statistics, each dimension standardized over the rows, each row made unit. */
    private static double[][] units(List<short[]> rows) {
        int m = rows.size();
        int dim = rows.get(0).length;
        double[][] x = new double[m][dim];
        for (int d = 0; d < dim; d++) {
            double mean = 0;
            for (int r = 0; r < m; r++) {
                x[r][d] = rows.get(r)[d] / SCALE;
                mean += x[r][d];
            }
            mean /= m;
            double var = 0;
            for (int r = 0; r < m; r++) {
                var += (x[r][d] - mean) * (x[r][d] - mean);
            }
            double sd = Math.sqrt(var / m) + 1e-6;
            for (int r = 0; r < m; r++) {
                x[r][d] = (x[r][d] - mean) / sd;
            }
        }
        for (double[] row : x) {
            double norm = Math.max(Math.sqrt(VoiceBank.dot(row, row)), 1e-12);
            for (int d = 0; d < dim; d++) {
                row[d] /= norm;
            }
        }
        return x;
    }
}
