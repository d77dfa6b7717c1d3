package io.streamdrz.schema;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.util.Map;

/**
 * Kafka serde for a generated Avro record in single-object encoding, backed by a
 * {@link SingleObjectCodec}. No schema registry and no Confluent wire format: the
 * fingerprint in each record's header is resolved against {@link ReleasedSchemas}.
 *
 * <p>{@code null} maps to {@code null} both ways, so tombstones pass through.
 * Undecodable bytes throw {@link RecordDecodeException}.
 */
public class SingleObjectSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {

    private final SingleObjectCodec<T> codec;

    public SingleObjectSerde(SingleObjectCodec<T> codec) {
        this.codec = codec;
    }

    /** A serde for {@code recordClass} that reads every released version of it. */
    protected SingleObjectSerde(Class<T> recordClass) {
        this(SingleObjectCodec.forReleased(recordClass));
    }

    public SingleObjectCodec<T> codec() {
        return codec;
    }

    @Override
    public byte[] serialize(String topic, T record) {
        return record == null ? null : codec.encode(record);
    }

    @Override
    public T deserialize(String topic, byte[] bytes) {
        return bytes == null ? null : codec.decode(bytes);
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    // Serde, Serializer and Deserializer each declare these as defaults; nothing to configure or release.
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
    }

    @Override
    public void close() {
    }
}
