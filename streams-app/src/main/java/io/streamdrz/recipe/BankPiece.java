package io.streamdrz.recipe;

/**
 * One piece of a call's labelled speech in its voice bank ({@link VoiceBank}).
 *
 * @param embedding the unit mean voice embedding of the piece's frames as 8-bit values,
 *                  value / 127 ({@link #quantize}; shared, not copied)
 * @param seconds   the piece's length: its weight when the bank votes on labels
 * @param label     the call label it was given; never changes
 * @param cepstra   mean and deviation of c1..c19 of the piece's log-mel frames, x 256
 *                  ({@link VoiceBank#cepstralStats}); null where the model's bank has no
 *                  cepstral weight, or in state stored before it had one (shared, not copied)
 */
public record BankPiece(byte[] embedding, double seconds, int label, short[] cepstra) {

    /** A piece without cepstral statistics. */
    public BankPiece(byte[] embedding, double seconds, int label) {
        this(embedding, seconds, label, null);
    }

    /** 127 squared: the dot product of two pieces' 8-bit values over this is their cosine. */
    static final double SCALE_SQUARED = 127.0 * 127.0;

    /**
     * A unit embedding as 8-bit values, floor(127 v + 0.5): a quarter of the bytes in the
     * call's stored state, and a cosine within about 0.01 of the float one.
     */
    static byte[] quantize(double[] v) {
        byte[] out = new byte[v.length];
        for (int d = 0; d < v.length; d++) {
            out[d] = (byte) Math.max(-127, Math.min(127, Math.floor(127.0 * v[d] + 0.5)));
        }
        return out;
    }

    /** The 8-bit values as ints, for exact dot products between pieces. */
    int[] ints() {
        int[] out = new int[embedding.length];
        for (int d = 0; d < embedding.length; d++) {
            out[d] = embedding[d];
        }
        return out;
    }

    /** The embedding as the clustering reads it: value / 127. */
    double[] values() {
        double[] out = new double[embedding.length];
        for (int d = 0; d < embedding.length; d++) {
            out[d] = embedding[d] / 127.0;
        }
        return out;
    }
}
