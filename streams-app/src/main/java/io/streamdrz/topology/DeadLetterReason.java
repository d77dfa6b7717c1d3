package io.streamdrz.topology;

import io.streamdrz.schema.RecordDecodeException;

/**
 * Why a record went to the dead-letter topic. The name is the value of the
 * {@value DeadLetters#REASON} header: stable, safe for alerts and scripts.
 */
public enum DeadLetterReason {

    // The value is not an AudioFrame (RecordDecodeException's reasons, same names).
    /** The value does not start with the Avro single-object marker. */
    NOT_SINGLE_OBJECT,
    /** The value ends before the record does. */
    TRUNCATED,
    /** The value was written with a schema that is not a released AudioFrame version. */
    UNKNOWN_FINGERPRINT,
    /** The value's writer schema is released but cannot be read as an AudioFrame. */
    INCOMPATIBLE_SCHEMA,
    /** The value does not follow its writer schema. */
    MALFORMED,

    // The frame decodes but cannot be used.
    /** The record has no value (a tombstone); audio-in has no use for one. */
    NULL_VALUE,
    /** The key is missing or is not the frame's call id, so the call could land in the wrong partition. */
    KEY_MISMATCH,
    /** Sample rate or channel count outside what the app converts. */
    UNSUPPORTED_FORMAT,
    /** The payload is not whole samples of the declared encoding and channels, or holds non-finite floats. */
    BAD_PAYLOAD,
    /** The payload is larger than {@code streamdrz.limits.frame.max.bytes}. */
    FRAME_TOO_LARGE,
    /** The frame's call hints (expectedSpeakers, expectedSpeakerIds) are malformed ({@code CallHints#problem}). */
    BAD_HINT,
    /** The frame's sample rate differs from the rate of the call's first frame. */
    RATE_CHANGED,

    // The frame breaks the rules of its call's stream.
    /** The frame arrived after its place in the call was filled with silence, or before the call's start. */
    LATE_FRAME,
    /** The frame's sequence number is after the call's end-of-stream frame. */
    AFTER_END_OF_STREAM,
    /** Frames before this one are missing for longer than {@code streamdrz.frames.gap.fill.max.ms}; the call was closed. */
    GAP_TOO_LARGE,
    /** The call would be longer than {@code streamdrz.limits.call.max.ms}; the call was closed. */
    CALL_TOO_LONG,
    /** The call would hold more audio than {@code streamdrz.limits.buffer.max.ms} while waiting for missing frames. */
    BUFFER_FULL,
    /** The call was already closed (end of stream, idle timeout or a limit) when the frame arrived. */
    CALL_CLOSED,
    /**
     * The sequence number is {@code Long.MAX_VALUE}: no frame could follow it without
     * wrapping around, so it is never placed (a wrapped frame after it is {@link #LATE_FRAME}).
     */
    SEQUENCE_OVERFLOW,
    /**
     * Processing the frame failed unexpectedly (a bug, or state the app cannot handle); its
     * call was ended with {@link CallEnd#INTERNAL_ERROR} so that the rest of the app goes on.
     */
    INTERNAL_ERROR;

    /** The reason for a value that did not decode. */
    public static DeadLetterReason of(RecordDecodeException.Reason reason) {
        return valueOf(reason.name());
    }
}
