package io.streamdrz.topology;

/**
 * Why a call was finished. Written as the {@value DiarizationTopology#CALL_END_HEADER}
 * header of the end-of-call record on segments-out.
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
    INTERNAL_ERROR
}
