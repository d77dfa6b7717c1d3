package io.streamdrz.topology;

import io.streamdrz.state.OriginalRecord;

/**
 * A frame that passed validation, as {@link FrameValidator} hands it to the
 * {@link ChunkAssembler}: its place in the call, its audio as mono floats at the
 * frame's own sample rate, and the record exactly as read (for dead-lettering it later).
 */
record DecodedFrame(String callId, long sequence, int sampleRate, boolean endOfStream, float[] samples,
                    OriginalRecord original) {
}
