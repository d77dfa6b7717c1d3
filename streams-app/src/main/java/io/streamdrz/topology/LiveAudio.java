package io.streamdrz.topology;

/**
 * Audio of a call, in order, as the {@link ChunkAssembler} adds it to the call: what the
 * {@link LiveLabeler} hears. Passed between processors of one task, never serialized.
 *
 * @param position the call's sample number of {@code samples[0]}, at {@code rate}
 * @param rate     the call's own sample rate
 * @param samples  mono samples (silence where the assembler filled a gap)
 */
record LiveAudio(long position, int rate, float[] samples) {
}
