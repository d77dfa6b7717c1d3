package io.streamdrz.topology;

import io.streamdrz.speakers.SpeakerIdentifier;

/**
 * Identification of enrolled speakers in the topology.
 *
 * @param speakersTopic the compacted topic of voiceprints, read as a global store; null:
 *                      no voiceprints, nobody is identified (per-call hints still apply)
 * @param threshold     the cosine a call speaker's voice must reach to take an enrolled name
 */
public record IdentificationConfig(String speakersTopic, double threshold) {

    /** No voiceprints. */
    public static final IdentificationConfig NONE = new IdentificationConfig(null, SpeakerIdentifier.DEFAULT_THRESHOLD);

    public static IdentificationConfig of(String speakersTopic) {
        return new IdentificationConfig(speakersTopic, SpeakerIdentifier.DEFAULT_THRESHOLD);
    }
}
