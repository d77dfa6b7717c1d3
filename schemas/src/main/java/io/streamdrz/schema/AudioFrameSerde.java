package io.streamdrz.schema;

/**
 * Serde for {@link AudioFrame}, the value type of {@code audio-in}. Has a public
 * no-argument constructor so it can be named in Kafka configuration
 * ({@code value.serializer}, {@code default.value.serde}).
 */
public final class AudioFrameSerde extends SingleObjectSerde<AudioFrame> {

    public AudioFrameSerde() {
        super(AudioFrame.class);
    }
}
