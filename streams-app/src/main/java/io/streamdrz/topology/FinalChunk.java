package io.streamdrz.topology;

import io.streamdrz.recipe.CallState;

/**
 * A final chunk of a call, diarized: the {@link ChunkDiarizationProcessor} tells the
 * {@link LiveLabeler}, which then gives the chunk's newest audio the final run's labels
 * and starts its next windows from the new state. Never serialized.
 *
 * @param after      the call's state after the chunk, with every segment the chunk made or extended
 * @param endSeconds call time of the chunk's end
 * @param end        why the call ended with this chunk, or null while it goes on
 */
record FinalChunk(CallState after, double endSeconds, CallEnd end) {

    boolean last() {
        return end != null;
    }
}
