package io.streamdrz.topology;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;

import java.nio.charset.StandardCharsets;

/**
 * Why a call was finished. Written as the {@value DiarizationTopology#CALL_END_HEADER}
 * header of the end-of-call record on segments-out (and on the live topic).
 */
public enum CallEnd {
    /** Its end-of-stream frame arrived. */
    END_OF_STREAM,
    /** No frame arrived for {@code streamdrz.call.idle.timeout.ms}. */
    IDLE_TIMEOUT,
    /** Frames were missing for longer than {@code streamdrz.frames.gap.fill.max.ms}. */
    GAP_TOO_LARGE,
    /** The call reached {@code streamdrz.limits.call.max.ms}. */
    CALL_TOO_LONG,
    /**
     * Processing the call failed unexpectedly; it was moved aside (its state dropped, the frame
     * dead-lettered as {@link DeadLetterReason#INTERNAL_ERROR}) so that other calls go on.
     */
    INTERNAL_ERROR;

    /** The end-of-call record: the call id as key, a null value, this reason as the header. */
    static <V> Record<String, V> record(String callId, CallEnd reason, long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(DiarizationTopology.CALL_END_HEADER, reason.name().getBytes(StandardCharsets.UTF_8));
        return new Record<>(callId, null, timestamp, headers);
    }
}
