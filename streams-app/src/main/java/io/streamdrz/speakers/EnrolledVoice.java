package io.streamdrz.speakers;

import io.streamdrz.schema.Voiceprint;

import java.util.List;

/**
 * An enrolled speaker as identification compares with: the unit mean of their print's
 * embeddings.
 *
 * @param speakerId the key on the speakers topic
 * @param name      the display name segments carry
 * @param modelId   the model whose voice embedding made the print
 * @param voice     unit vector; compare by dot product
 */
public record EnrolledVoice(String speakerId, String name, String modelId, double[] voice) {

    /** The voice of {@code print}, or null when it holds no usable embedding (none, mixed lengths, all zero). */
    public static EnrolledVoice of(Voiceprint print) {
        double[] mean = meanOf(print.getEmbeddings());
        return mean == null ? null : new EnrolledVoice(print.getSpeakerId(), print.getDisplayName(), print.getModelId(), mean);
    }

    /** Unit mean of unit-scaled vectors; null if there are none, lengths differ or the mean is zero. */
    static double[] meanOf(List<List<Float>> embeddings) {
        if (embeddings.isEmpty()) {
            return null;
        }
        int dim = embeddings.get(0).size();
        double[] sum = new double[dim];
        for (List<Float> e : embeddings) {
            if (e.size() != dim || dim == 0) {
                return null;
            }
            double[] v = new double[dim];
            for (int d = 0; d < dim; d++) {
                v[d] = e.get(d);
            }
            v = Vectors.unit(v);
            for (int d = 0; d < dim; d++) {
                sum[d] += v[d];
            }
        }
        return Vectors.norm(sum) == 0 ? null : Vectors.unit(sum);
    }
}
