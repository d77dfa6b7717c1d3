package io.streamdrz.schema;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Bytes that could not be decoded into a streamdrz record.
 *
 * <p>The topology routes records that fail this way to a dead-letter topic, so the
 * cause is machine-readable: {@link #reason()} is what goes into the dead-letter
 * headers, and the message starts with the reason's name followed by a sentence for
 * humans. Extends Kafka's {@link SerializationException} so that Kafka Streams hands
 * it to its deserialization exception handler like any other decoding failure.
 */
public final class RecordDecodeException extends SerializationException {

    /** Why decoding failed; stable names, safe to store in headers and metrics. */
    public enum Reason {
        /** The bytes do not start with the Avro single-object marker 0xC3 0x01. */
        NOT_SINGLE_OBJECT,
        /** The bytes end before the header or the record body is complete. */
        TRUNCATED,
        /** The writer schema's fingerprint is not one of the released schemas. */
        UNKNOWN_FINGERPRINT,
        /** The writer schema is released but cannot be read as the expected record. */
        INCOMPATIBLE_SCHEMA,
        /** The body does not follow its writer schema, or has bytes left over. */
        MALFORMED
    }

    private final Reason reason;

    public RecordDecodeException(Reason reason, String detail) {
        this(reason, detail, null);
    }

    public RecordDecodeException(Reason reason, String detail, Throwable cause) {
        super(reason.name() + ": " + detail, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
