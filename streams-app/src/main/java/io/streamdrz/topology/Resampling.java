package io.streamdrz.topology;

import be.tarsos.dsp.resample.Resampler;

import java.util.Arrays;

/**
 * A chunk of a call at the model's sample rate.
 *
 * TODO: use io.streamdrz.audio.AudioResampler when the inference engine lands on main.
 */
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
        double factor = toRate / (double) fromRate;
        Resampler resampler = new Resampler(true, factor, factor);
        float[] out = new float[(int) Math.ceil(samples.length * factor) + 2 * resampler.getFilterWidth() + 16];
        float[] result = new float[out.length];
        int produced = 0;
        int position = 0;
        for (int guard = 0; guard < 1000; guard++) {
            Resampler.Result r = resampler.process(factor, samples, position, samples.length - position, true,
                    out, 0, out.length);
            position += r.inputSamplesConsumed;
            if (produced + r.outputSamplesGenerated > result.length) {
                result = Arrays.copyOf(result, Math.max(result.length * 2, produced + r.outputSamplesGenerated));
            }
            System.arraycopy(out, 0, result, produced, r.outputSamplesGenerated);
            produced += r.outputSamplesGenerated;
            if (r.inputSamplesConsumed == 0 && r.outputSamplesGenerated == 0) {
                break;
            }
        }
        return Arrays.copyOf(result, length);
    }
}
