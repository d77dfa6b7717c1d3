package io.streamdrz.audio;

import be.tarsos.dsp.resample.Resampler;

import java.util.Arrays;

/**
 * Sample-rate conversion with TarsosDSP's {@link Resampler} (a port of libresample:
 * windowed-sinc interpolation, low-passed when downsampling).
 *
 * <p>One instance converts one continuous stream, fed in pieces ({@link #process});
 * {@link #resample} converts a whole clip at once. Instances are not thread-safe.
 */
public final class AudioResampler {

    private final Resampler resampler;
    private final double factor;
    private float[] out = new float[0];

    public AudioResampler(int fromRate, int toRate) {
        if (fromRate <= 0 || toRate <= 0) {
            throw new IllegalArgumentException("sample rates must be positive: " + fromRate + " -> " + toRate);
        }
        this.factor = toRate / (double) fromRate;
        this.resampler = new Resampler(true, factor, factor);
    }

    /**
     * Converts the next {@code length} samples of the stream. With {@code last} the
     * filter's tail is flushed; the stream ends there.
     */
    public float[] process(float[] in, int offset, int length, boolean last) {
        int capacity = (int) Math.ceil(length * factor) + 2 * resampler.getFilterWidth() + 16;
        if (out.length < capacity) {
            out = new float[capacity];
        }
        float[] result = new float[capacity];
        int produced = 0;
        int pos = offset;
        int end = offset + length;
        for (int guard = 0; guard < 1000; guard++) {
            Resampler.Result r = resampler.process(factor, in, pos, end - pos, last, out, 0, out.length);
            pos += r.inputSamplesConsumed;
            if (produced + r.outputSamplesGenerated > result.length) {
                result = Arrays.copyOf(result, Math.max(result.length * 2, produced + r.outputSamplesGenerated));
            }
            System.arraycopy(out, 0, result, produced, r.outputSamplesGenerated);
            produced += r.outputSamplesGenerated;
            if (r.inputSamplesConsumed == 0 && r.outputSamplesGenerated == 0) {
                break;
            }
        }
        return Arrays.copyOf(result, produced);
    }

    /**
     * A whole clip at another rate. The result has exactly
     * {@code round(samples.length * toRate / fromRate)} samples, so times stay aligned.
     */
    public static float[] resample(float[] samples, int fromRate, int toRate) {
        if (fromRate == toRate) {
            return samples.clone();
        }
        float[] converted = new AudioResampler(fromRate, toRate).process(samples, 0, samples.length, true);
        int expected = (int) Math.round(samples.length * (double) toRate / fromRate);
        return converted.length == expected ? converted : Arrays.copyOf(converted, expected);
    }
}
