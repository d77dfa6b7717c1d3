package io.streamdrz.audio;

/**
 * The log-mel recipe's parameters, as the model's contract states them.
 *
 * @param sampleRate samples per second of the input
 * @param nFft       FFT size (frames are zero padded to it)
 * @param winLength  window length in samples (periodic Hann)
 * @param hopLength  frame step in samples
 * @param nMels      mel bands
 * @param fMin       lowest filter edge, Hz
 * @param fMax       highest filter edge, Hz
 * @param logFloor   added before the natural log
 */
public record MelSpec(int sampleRate, int nFft, int winLength, int hopLength, int nMels,
                      double fMin, double fMax, double logFloor) {

    public MelSpec {
        if (Integer.bitCount(nFft) != 1) {
            throw new IllegalArgumentException("n_fft must be a power of two, not " + nFft);
        }
        if (winLength < 1 || winLength > nFft) {
            throw new IllegalArgumentException("win_length must be in 1.." + nFft + ", not " + winLength);
        }
        if (hopLength < 1 || nMels < 1 || sampleRate < 1) {
            throw new IllegalArgumentException("hop_length, n_mels and sample_rate must be positive");
        }
        if (!(fMin >= 0 && fMin < fMax && fMax <= sampleRate / 2.0)) {
            throw new IllegalArgumentException("need 0 <= f_min < f_max <= sample_rate/2, not " + fMin + ".." + fMax);
        }
    }

    /** Frames of {@code samples} samples: {@code samples / hop} (the recipe drops a partial last hop). */
    public int frames(int samples) {
        return samples / hopLength;
    }
}
