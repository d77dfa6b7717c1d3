package io.streamdrz.audio;

/**
 * Mono audio in memory: float samples (full scale +-1) at a sample rate.
 *
 * @param samples    the samples; the array is shared, not copied
 * @param sampleRate samples per second
 */
public record AudioClip(float[] samples, int sampleRate) {

    public AudioClip {
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sample rate must be positive, not " + sampleRate);
        }
    }

    public double seconds() {
        return samples.length / (double) sampleRate;
    }

    /** This clip at {@code rate}: itself when the rate is already right, else resampled. */
    public AudioClip atRate(int rate) {
        if (rate == sampleRate) {
            return this;
        }
        return new AudioClip(AudioResampler.resample(samples, sampleRate, rate), rate);
    }
}
