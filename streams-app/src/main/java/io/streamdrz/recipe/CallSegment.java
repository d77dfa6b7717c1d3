package io.streamdrz.recipe;

/**
 * A speaker turn in call time.
 *
 * @param start      seconds from the call's first sample
 * @param end        seconds from the call's first sample
 * @param label      call-level speaker label, 0 = first speaker heard (A), stable for the call
 * @param confidence the lowest confidence of the chunk triples merged into this turn
 * @param chunkIndex the chunk that made it or last extended it ({@link SegmentStitcher})
 */
public record CallSegment(double start, double end, int label, double confidence, int chunkIndex) {

    /** The label as a letter: 0 = A ... 25 = Z, then AA, AB, ... */
    public String speaker() {
        return speakerName(label);
    }

    public static String speakerName(int label) {
        StringBuilder s = new StringBuilder();
        int n = label;
        do {
            s.insert(0, (char) ('A' + n % 26));
            n = n / 26 - 1;
        } while (n >= 0);
        return s.toString();
    }
}
