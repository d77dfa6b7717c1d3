package io.streamdrz.topology;

/**
 * Identification of enrolled speakers in the topology.
 *
 * @param speakersTopic the compacted topic of voiceprints, read as a global store; null:
 *                      no voiceprints, nobody is identified (per-call hints still apply)
 * @param threshold     the cosine a call speaker's voice must reach to take an enrolled name;
 *                      null: the model's ({@code identify.threshold} in its contract)
 */
public record IdentificationConfig(String speakersTopic, Double threshold) {

    /** No voiceprints. */
    public static final IdentificationConfig NONE = new IdentificationConfig(null, null);

    /** Voiceprints from {@code speakersTopic}, judged at the model's threshold. */
    public static IdentificationConfig of(String speakersTopic) {
        return new IdentificationConfig(speakersTopic, null);
    }
}
