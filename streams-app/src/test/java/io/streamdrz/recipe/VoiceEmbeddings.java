package io.streamdrz.recipe;

import io.streamdrz.inference.ModelContract;

import java.util.Random;
import java.util.function.IntUnaryOperator;

/** Made-up voice embeddings for the voice matching and refinement tests: one axis per voice, a little noise. */
final class VoiceEmbeddings {

    private VoiceEmbeddings() {
    }

    /** Unit embeddings per frame: slot j carries voice slotVoice[j], chunk frame k voice chunkVoice(k) (-1: noise). */
    static float[] of(ModelContract c, IntUnaryOperator chunkVoice, int... slotVoice) {
        int dim = c.speakerDim;
        Random rng = new Random(0);
        double[][] e = new double[c.encoderFrames][dim];
        for (double[] row : e) {
            for (int d = 0; d < dim; d++) {
                row[d] = rng.nextGaussian() * 0.01;
            }
        }
        int perSlot = c.slotSamples() / c.encoderFrameSamples;
        for (int j = 0; j < slotVoice.length; j++) {
            for (int f = j * perSlot; f < (j + 1) * perSlot; f++) {
                e[f][slotVoice[j]] += 1;
            }
        }
        for (int k = 0; k < c.encoderFrames - c.encoderChunkStart; k++) {
            int v = chunkVoice.applyAsInt(k);
            if (v >= 0) {
                e[c.encoderChunkStart + k][v] += 1;
            }
        }
        float[] out = new float[c.encoderFrames * dim];
        for (int f = 0; f < e.length; f++) {
            double norm = 0;
            for (double x : e[f]) {
                norm += x * x;
            }
            for (int d = 0; d < dim; d++) {
                out[f * dim + d] = (float) (e[f][d] / Math.sqrt(norm));
            }
        }
        return out;
    }
}
