package io.streamdrz.schema;

/**
 * Serde for {@link Voiceprint}, the value type of the compacted {@code speakers} topic.
 * A null value is a tombstone: the speaker is deleted. Has a public no-argument
 * constructor so it can be named in Kafka configuration.
 */
public final class VoiceprintSerde extends SingleObjectSerde<Voiceprint> {

    public VoiceprintSerde() {
        super(Voiceprint.class);
    }
}
