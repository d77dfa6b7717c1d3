package io.streamdrz.audio;

import io.streamdrz.inference.ModelContract;
import io.streamdrz.inference.ModelFixtures;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Java log-mel features of the fixture inputs against the features PyTorch computed
 * for them (models/fixtures.py).
 */
class MelFrontendParityTest {

    /*
     * Tolerance. Both sides compute the spectrum in float32 (torch.fft.rfft on CPU,
     * TarsosDSP's FloatFFT), with different FFT algorithms and summation orders, so
     * each power value carries a rounding error of a few float32 ulps of the frame's
     * largest spectral terms (relative ~1e-6 of the frame energy), not of the value
     * itself. In the log domain that error is divided by (mel + log_floor): negligible
     * for bands with energy, largest in near-silent bands where mel is close to the
     * 1e-6 floor. Measured on the fixtures of the first checkpoint: max |diff| 3e-4
     * to 6e-4, mean |diff| 0.7e-6 to 1.4e-6 (features span about -14 to +10).
     * Bounds, about ten times that: max 5e-3 (0.5 % of a band's energy, far below
     * what the model can tell apart) and mean 2e-5 (any recipe error - window shape
     * or periodicity, filterbank edges, framing, padding, log base or floor - moves
     * the mean by orders of magnitude more).
     */
    private static final double MAX_ABS = 5e-3;
    private static final double MEAN_ABS = 2e-5;

    @Test
    void javaFeaturesMatchPythonFeatures() throws Exception {
        ModelContract contract = ModelFixtures.model().contract();
        MelFrontend frontend = new MelFrontend(contract.mel);
        for (ModelFixtures.Input in : ModelFixtures.inputs()) {
            AudioClip clip = WavReader.read(ModelFixtures.file(in.wav()));
            assertEquals(contract.sampleRate, clip.sampleRate());
            assertEquals(contract.inputSamples, clip.samples().length, in.wav());
            float[] expected = ModelFixtures.readF32(ModelFixtures.file(in.features()));
            float[] actual = frontend.compute(clip.samples());
            assertEquals(contract.nFrames * contract.mel.nMels(), expected.length);
            assertEquals(expected.length, actual.length);
            double max = 0;
            double sum = 0;
            for (int i = 0; i < expected.length; i++) {
                double d = Math.abs(expected[i] - actual[i]);
                max = Math.max(max, d);
                sum += d;
            }
            double mean = sum / expected.length;
            System.out.printf("%s: max |diff| %.3g, mean |diff| %.3g%n", in.features(), max, mean);
            assertTrue(max <= MAX_ABS, in.features() + ": max abs error " + max);
            assertTrue(mean <= MEAN_ABS, in.features() + ": mean abs error " + mean);
        }
    }
}
