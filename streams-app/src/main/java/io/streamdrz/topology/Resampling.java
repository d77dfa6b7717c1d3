package io.streamdrz.topology;

import io.streamdrz.audio.AudioResampler;

import java.util.Arrays;

/** A chunk of a call at the model's sample rate, through the engine's {@link AudioResampler}. */
final class Resampling {

    private Resampling() {
    }

    /**
     * {@code samples} at {@code toRate}, exactly {@code length} samples long (cut or
     * zero padded by at most a sample or two of rounding).
     */
    static float[] convert(float[] samples, int fromRate, int toRate, int length) {
        if (fromRate == toRate || samples.length == 0) {
            return Arrays.copyOf(samples, length);
        }
        return Arrays.copyOf(AudioResampler.resample(samples, fromRate, toRate), length);
    }
}
