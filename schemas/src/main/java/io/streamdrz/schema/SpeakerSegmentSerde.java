package io.streamdrz.schema;

/**
 * Serde for {@link SpeakerSegment}, the value type of {@code segments-out}. Has a
 * public no-argument constructor so it can be named in Kafka configuration.
 */
public final class SpeakerSegmentSerde extends SingleObjectSerde<SpeakerSegment> {

    public SpeakerSegmentSerde() {
        super(SpeakerSegment.class);
    }
}
