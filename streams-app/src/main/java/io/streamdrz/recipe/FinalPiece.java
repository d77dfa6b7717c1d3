package io.streamdrz.recipe;

/**
 * A piece of a call's speech as the final pass ({@link FinalLabels}) clusters it, cut from
 * one chunk right after the stream stitched that chunk ({@link FinalLabels#pieces}).
 *
 * @param start   call seconds
 * @param end     call seconds
 * @param label   the live label of its segment
 * @param voice   unit mean of its chunk's voice embedding frames over the piece
 * @param cepstra mean and deviation of its cepstra ({@link CepstralStatistics}), or null where
 *                the model's final pass does not weigh them
 */
public record FinalPiece(double start, double end, int label, float[] voice, short[] cepstra) {
}
