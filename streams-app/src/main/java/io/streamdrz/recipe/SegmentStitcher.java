package io.streamdrz.recipe;

import java.util.List;

/**
 * A segment's life, in one place: made by a chunk, extended by later chunks, final.
 *
 * <p><b>Merge rule</b> ({@link #append}): chunk output, already in call time and call
 * labels, joins a call's segment list; a new segment continues the same speaker's most
 * recent segment when it starts at most {@code joinGap} seconds after that one ends (and
 * not before it starts), so a turn that a chunk boundary cut in two is one segment again.
 * The gap is the model's {@code streamdrz.join_gap_seconds}: the model splits turns at
 * short pauses that references do not count. As {@code _append} in prompts.py. A
 * segment's chunk index is that of the chunk that made it or last extended its end.
 *
 * <p><b>Final rule</b> ({@link #isFinal}): by the merge rule, a segment that ends more
 * than {@code joinGap} before the end of the audio diarized so far can no longer change;
 * the streams app emits it then, and holds the others until a later chunk decides (or
 * the call ends).
 */
public final class SegmentStitcher {

    /** Slack for rounding in the time arithmetic when deciding that a segment is final. */
    private static final double EPSILON_SECONDS = 1e-6;

    private SegmentStitcher() {
    }

    /**
     * Whether a segment ending at {@code end} can no longer be extended once the call's
     * chunks before {@code nextChunk} are diarized (each {@code chunkSamples} at
     * {@code sampleRate}; only a call's last chunk is shorter, and then every segment is
     * final anyway).
     */
    public static boolean isFinal(double end, int nextChunk, int chunkSamples, int sampleRate, double joinGap) {
        double audioEnd = nextChunk * (chunkSamples / (double) sampleRate);
        return end < audioEnd - joinGap - EPSILON_SECONDS;
    }

    public static void append(List<CallSegment> segments, CallSegment seg, double joinGap) {
        for (int i = segments.size() - 1; i >= 0; i--) {
            CallSegment last = segments.get(i);
            if (last.label() == seg.label()) {
                if (seg.start() - last.end() <= joinGap && seg.start() >= last.start()) {
                    segments.set(i, new CallSegment(last.start(), Math.max(last.end(), seg.end()), last.label(),
                            Math.min(last.confidence(), seg.confidence()),
                            seg.end() > last.end() ? seg.chunkIndex() : last.chunkIndex()));
                    return;
                }
                break;
            }
        }
        segments.add(seg);
    }
}
