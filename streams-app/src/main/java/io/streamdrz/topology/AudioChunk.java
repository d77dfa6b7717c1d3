package io.streamdrz.topology;

/**
 * One chunk of a call, as the {@link ChunkAssembler} hands it to the {@link ChunkDiarizationProcessor}.
 *
 * @param callId    the call
 * @param index     the chunk's index within the call, from 0
 * @param samples   mono samples at the model's rate: a full chunk, or fewer for the last
 * @param last      true for the call's last chunk (possibly empty): the call is finished after it
 * @param endReason why the call finished, when {@code last}
 */
record AudioChunk(String callId, int index, float[] samples, boolean last, CallEnd endReason) {
}
