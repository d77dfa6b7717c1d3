package io.streamdrz.inference;

import java.util.List;

/**
 * Adds chunk output, already in call time and call labels, to a call's segment list,
 * joining a speaker's turn that a chunk boundary cut in two: a new segment continues
 * the same speaker's most recent segment when it starts at most {@link #JOIN_GAP_SECONDS}
 * after that one ends (and not before it starts). As {@code _append} in prompts.py.
 */
public final class SegmentStitcher {

    /** Gaps up to this long between a speaker's segments are closed. */
    public static final double JOIN_GAP_SECONDS = 0.15;

    private SegmentStitcher() {
    }

    public static void append(List<CallSegment> segments, CallSegment seg) {
        for (int i = segments.size() - 1; i >= 0; i--) {
            CallSegment last = segments.get(i);
            if (last.label() == seg.label()) {
                if (seg.start() - last.end() <= JOIN_GAP_SECONDS && seg.start() >= last.start()) {
                    segments.set(i, new CallSegment(last.start(), Math.max(last.end(), seg.end()), last.label(),
                            Math.min(last.confidence(), seg.confidence())));
                    return;
                }
                break;
            }
        }
        segments.add(seg);
    }
}
