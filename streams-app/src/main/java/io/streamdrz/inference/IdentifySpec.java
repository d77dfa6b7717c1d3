package io.streamdrz.inference;

/**
 * How a call speaker is judged to be an enrolled voice, from the model contract
 * ({@code streamdrz.identify.*}, with {@code match.profile_min_frames}): these values
 * belong to the model's voice embedding, so they travel with it. The Python twin reads
 * the same fields of {@code ModelConfig} ({@code models/identify_eval.py}).
 *
 * @param threshold  least cosine between a speaker's voice profile and a voiceprint, in (-1, 1)
 * @param hysteresis how far the evidence must move before a named label changes, at least 0
 * @param minFrames  encoder frames of a voice alone before it is judged at all
 */
public record IdentifySpec(double threshold, double hysteresis, int minFrames) {

    public IdentifySpec {
        if (!(threshold > -1 && threshold < 1)) {
            throw new IllegalArgumentException("threshold must be a cosine in (-1, 1), not " + threshold);
        }
        if (!(hysteresis >= 0)) {
            throw new IllegalArgumentException("hysteresis must be >= 0, not " + hysteresis);
        }
        if (minFrames < 0) {
            throw new IllegalArgumentException("minFrames must be >= 0, not " + minFrames);
        }
    }

    /** The same with another threshold (an operator's override); null keeps this one. */
    public IdentifySpec withThreshold(Double other) {
        return other == null ? this : new IdentifySpec(other, hysteresis, minFrames);
    }
}
