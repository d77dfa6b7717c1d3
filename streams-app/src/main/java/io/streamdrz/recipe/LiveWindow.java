package io.streamdrz.recipe;

import java.util.ArrayList;
import java.util.List;

/**
 * The provisional labels of a live window: the model's chunk length of a call's newest
 * audio, diarized with the prompts of the state its last final chunk left, on a copy of
 * that state. Only the labels it gives the newest audio (what no earlier window covered)
 * are provisional segments; the copy is thrown away, so windows never change the call
 * state and the final segments are the same with live labels on or off. The Python
 * twin, by which the flip rate and the provisional DER are measured, is
 * {@code provisional_window} in {@code models/rolling.py}.
 *
 * <p>The recipe places any chunk it is given at the next final chunk's start {@code t0};
 * a window that starts at call time {@code w} is therefore read back shifted by
 * {@code w - t0}.
 */
public final class LiveWindow {

    private LiveWindow() {
    }

    /**
     * @param before        the call's state after its last final chunk
     * @param after         {@code before} with the window absorbed as if it were the next chunk
     * @param windowStart   call time, in seconds, of the window's first sample
     * @param windowSeconds the window's length
     * @param newestSeconds how much of the window's end is new: the provisional span
     * @param chunkSeconds  the model's chunk length
     * @return the segments of {@code after} inside the span, clipped to it, in call time
     */
    public static List<CallSegment> newest(CallState before, CallState after, double windowStart,
                                           double windowSeconds, double newestSeconds, double chunkSeconds) {
        double t0 = before.chunkIndex() * chunkSeconds;
        double from = t0 + windowSeconds - newestSeconds;
        return clip(after.segments(), from, t0 + windowSeconds, windowStart - t0, before.chunkIndex());
    }

    /**
     * The parts of {@code segments} inside {@code [from, to)}, moved by {@code shift} seconds and
     * marked as made by chunk {@code chunkIndex}, in start order.
     */
    public static List<CallSegment> clip(List<CallSegment> segments, double from, double to, double shift,
                                         int chunkIndex) {
        List<CallSegment> out = new ArrayList<>();
        for (CallSegment s : segments) {
            if (s.start() < to && s.end() > from) {
                out.add(new CallSegment(Math.max(s.start(), from) + shift, Math.min(s.end(), to) + shift, s.label(),
                        s.confidence(), chunkIndex));
            }
        }
        out.sort((a, b) -> Double.compare(a.start(), b.start()));
        return out;
    }
}
