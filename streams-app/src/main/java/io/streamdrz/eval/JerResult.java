package io.streamdrz.eval;

import java.util.Map;

/**
 * Jaccard error of one file: per reference speaker, {@code 1 - |ref ∩ hyp| / |ref ∪ hyp|}
 * with its mapped hypothesis speaker (1 when unmapped).
 *
 * @param speakerErrors   reference speaker -> Jaccard error (fraction)
 * @param mapping         reference speaker -> hypothesis speaker
 * @param hypSpeakers     hypothesis speakers with speech in the scoring region
 */
public record JerResult(Map<String, Double> speakerErrors, Map<String, String> mapping, int hypSpeakers) {

    /** Mean over reference speakers; without any: 1 if the hypothesis has speech, else 0. */
    public double jer() {
        if (!speakerErrors.isEmpty()) {
            return speakerErrors.values().stream().mapToDouble(Double::doubleValue).average().orElse(0);
        }
        return hypSpeakers > 0 ? 1.0 : 0.0;
    }
}
