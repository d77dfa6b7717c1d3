package io.streamdrz.recipe;

import io.streamdrz.inference.ChunkSegment;
import io.streamdrz.inference.SpeechRegion;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Drops a chunk's decoded segments that lie mostly inside other labels' segments. Why: on
 * real voices the decoder puts short segments of a second label inside one speaker's
 * turn; each is a false alarm and a voice sample of the wrong speaker. The share is the
 * contract's {@code overlap.nested_share}; the shipped model leaves it off
 * ({@code models/select_nested.py} and the model card say why). The Python twin is
 * {@code drop_nested} in {@code models/prompts.py}.
 */
public final class NestedSegments {

    private NestedSegments() {
    }

    /**
     * {@code segments} in their order without those that have at least {@code share} of
     * their length inside longer segments of other labels that stay, decided longest first
     * (ties in list order), so of two segments that overlap each other the longer stays;
     * {@code share} above 1 keeps all.
     */
    static List<ChunkSegment> drop(List<ChunkSegment> segments, double share) {
        if (share > 1.0) {
            return segments;
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.<Integer>comparingDouble(i -> -(segments.get(i).end() - segments.get(i).start()))
                .thenComparingInt(i -> i));
        boolean[] keep = new boolean[segments.size()];
        List<ChunkSegment> kept = new ArrayList<>();
        for (int i : order) {
            ChunkSegment seg = segments.get(i);
            if (seg.end() <= seg.start() || covered(seg, kept) < share * (seg.end() - seg.start())) {
                keep[i] = true;
                kept.add(seg);
            }
        }
        List<ChunkSegment> out = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            if (keep[i]) {
                out.add(segments.get(i));
            }
        }
        return out;
    }

    /** Seconds of {@code seg} that the segments of other labels in {@code kept} cover, each second once. */
    private static double covered(ChunkSegment seg, List<ChunkSegment> kept) {
        List<ChunkSegment> others = new ArrayList<>();
        for (ChunkSegment o : kept) {
            if (o.label() != seg.label()) {
                others.add(o);
            }
        }
        double free = 0.0;
        for (SpeechRegion r : SpeechGate.uncovered(List.of(new SpeechRegion(seg.start(), seg.end())), others)) {
            free += r.end() - r.start();
        }
        return (seg.end() - seg.start()) - free;
    }
}
