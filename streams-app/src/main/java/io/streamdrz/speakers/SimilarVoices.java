package io.streamdrz.speakers;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Cosine top-K: the candidates most like a query voice, best first (VALL-E's
 * {@code similar.py} idea on our embeddings).
 */
public final class SimilarVoices {

    private SimilarVoices() {
    }

    /** A candidate voice: what to print for it, and its vector. */
    public record Candidate(String name, double[] vector) {
    }

    public record Match(String name, double score) {
    }

    /** The {@code k} candidates with the highest cosine to {@code query} (ties: input order). */
    public static List<Match> top(double[] query, List<Candidate> candidates, int k) {
        List<Match> all = new ArrayList<>();
        for (Candidate c : candidates) {
            all.add(new Match(c.name(), Vectors.cosine(query, c.vector())));
        }
        all.sort(Comparator.comparingDouble(Match::score).reversed());
        return all.subList(0, Math.min(k, all.size()));
    }

    /**
     * Each dimension z-scored over {@code vectors} together (the query and its candidates),
     * in place: for the MFCC baseline, whose raw dimensions differ in scale by orders of
     * magnitude. A dimension with no spread is left centred.
     */
    public static void standardize(List<double[]> vectors) {
        if (vectors.isEmpty()) {
            return;
        }
        int dim = vectors.get(0).length;
        for (int d = 0; d < dim; d++) {
            double mean = 0;
            for (double[] v : vectors) {
                mean += v[d];
            }
            mean /= vectors.size();
            double var = 0;
            for (double[] v : vectors) {
                var += (v[d] - mean) * (v[d] - mean);
            }
            double sd = Math.sqrt(var / vectors.size()) + 1e-9;
            for (double[] v : vectors) {
                v[d] = (v[d] - mean) / sd;
            }
        }
    }
}
