package io.streamdrz.inference;

/**
 * One {@code (start, end, speaker)} triple decoded from a chunk.
 *
 * @param start      seconds from the start of the chunk
 * @param end        seconds from the start of the chunk, {@code > start}
 * @param label      chunk-local speaker label: {@code 0..n_prompted-1} are the prompted
 *                   speakers in slot order, higher labels new voices in order of appearance
 * @param confidence geometric mean of the triple's three token probabilities
 */
public record ChunkSegment(double start, double end, int label, double confidence) {
}
