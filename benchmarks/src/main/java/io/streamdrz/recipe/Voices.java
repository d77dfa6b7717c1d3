package io.streamdrz.recipe;

import io.streamdrz.inference.DiarizationModel;
import io.streamdrz.inference.ModelContract;
import io.streamdrz.inference.ModelOptions;

import java.nio.file.Path;
import java.util.Random;

/** What the recipe benchmarks share: the shipped model's contract and made-up voices of its 128 dimensions. */
final class Voices {

    static final int DIM = 128;

    private Voices() {
    }

    /** The contract of {@code -Dstreamdrz.model} (default {@code models/shipped/streamdrz}). */
    static ModelContract shippedContract() {
        ModelOptions options = ModelOptions.builder()
                .prefix(Path.of(System.getProperty("streamdrz.model", "models/shipped/streamdrz"))).build();
        try (DiarizationModel model = DiarizationModel.load(options)) {
            return model.contract();
        }
    }

    /** A unit vector: around {@code centre} with noise of {@code sd}, or random. */
    static double[] noisy(Random rng, double[] centre, double sd) {
        double[] v = new double[DIM];
        double norm = 0;
        for (int d = 0; d < DIM; d++) {
            v[d] = (centre == null ? 0 : centre[d]) + sd * rng.nextGaussian() / Math.sqrt(DIM);
            norm += v[d] * v[d];
        }
        for (int d = 0; d < DIM; d++) {
            v[d] /= Math.sqrt(norm);
        }
        return v;
    }
}
