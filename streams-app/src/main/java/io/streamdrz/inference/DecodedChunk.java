package io.streamdrz.inference;

import java.util.List;

/**
 * What greedy decoding produced for one chunk.
 *
 * @param tokens    SOD, the generated tokens, up to and including EOS (no padding)
 * @param probs     for each token, its probability under the softmax restricted to the
 *                  tokens the grammar allowed at that step (1 for SOD)
 * @param nPrompted how many prompt slots held a speaker
 * @param segments  the triples as chunk-relative segments
 * @param embeddings the encoder's unit voice embedding per frame, {@code (encoder.frames,
 *                  speaker.dim)} row-major
 * @param speech    where the VAD hears speech in the chunk, or null for no speech gate
 *                  ({@code recipe.SpeechGate})
 */
public record DecodedChunk(int[] tokens, double[] probs, int nPrompted, List<ChunkSegment> segments,
                           float[] embeddings, List<SpeechRegion> speech) {

    public DecodedChunk {
        java.util.Objects.requireNonNull(embeddings, "embeddings (the model's speaker_embedding output)");
    }

    /** Without a speech gate. */
    public DecodedChunk(int[] tokens, double[] probs, int nPrompted, List<ChunkSegment> segments,
                        float[] embeddings) {
        this(tokens, probs, nPrompted, segments, embeddings, null);
    }


    /** This chunk with the VAD's speech regions. */
    public DecodedChunk withSpeech(List<SpeechRegion> regions) {
        return new DecodedChunk(tokens, probs, nPrompted, segments, embeddings, regions);
    }
}
