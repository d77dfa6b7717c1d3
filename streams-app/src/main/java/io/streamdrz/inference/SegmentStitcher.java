package io.streamdrz.inference;

import java.util.List;

/**
 * Adds chunk output, already in call time and call labels, to a call's segment list,
 * joining a speaker's turn that a chunk boundary cut in two: a new segment continues
 * the same speaker's most recent segment when it starts at most {@code joinGap} seconds
 * after that one ends (and not before it starts). The gap is the model's
 * {@code streamdrz.join_gap_seconds}: the model splits turns at short pauses that
 * references do not count. As {@code _append} in prompts.py.
 */
public final class SegmentStitcher {

    private SegmentStitcher() {
    }

    public static void append(List<CallSegment> segments, CallSegment seg, double joinGap) {
        for (int i = segments.size() - 1; i >= 0; i--) {
            CallSegment last = segments.get(i);
            if (last.label() == seg.label()) {
                if (seg.start() - last.end() <= joinGap && seg.start() >= last.start()) {
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
