package io.streamdrz.inference;

import java.util.ArrayList;
import java.util.List;

/**
 * Seconds of speech in a chunk, {@code start < end}, as the VAD ({@link SileroVad}) hears
 * it: what {@link ChunkDiarizer} gives with each decoded chunk. The Python twin is
 * {@code speech_regions} in {@code models/vad.py}.
 */
public record SpeechRegion(double start, double end) {

    /**
     * Window probabilities to speech regions, with the hysteresis of Silero's own recipe:
     * speech starts at a window of {@code p >= threshold} and ends where a run of
     * {@code p < negThreshold} lasting {@code minSilenceSeconds} begins; shorter than
     * {@code minSpeechSeconds} is not speech; regions are padded within the signal.
     */
    public static List<SpeechRegion> fromVad(float[] probs, double windowSeconds, VadSpec v) {
        List<SpeechRegion> raw = new ArrayList<>();
        double start = -1;
        double below = -1;
        for (int k = 0; k < probs.length; k++) {
            double t = k * windowSeconds;
            if (start < 0) {
                if (probs[k] >= v.threshold()) {
                    start = t;
                    below = -1;
                }
            } else if (probs[k] < v.negThreshold()) {
                below = below < 0 ? t : below;
                if (t + windowSeconds - below >= v.minSilenceSeconds()) {
                    raw.add(new SpeechRegion(start, below));
                    start = -1;
                    below = -1;
                }
            } else {
                below = -1;
            }
        }
        double end = probs.length * windowSeconds;
        if (start >= 0) {
            raw.add(new SpeechRegion(start, end));
        }
        List<SpeechRegion> out = new ArrayList<>();
        for (SpeechRegion r : raw) {
            if (r.end() - r.start() >= v.minSpeechSeconds()) {
                out.add(new SpeechRegion(Math.max(0.0, r.start() - v.padSeconds()), Math.min(end, r.end() + v.padSeconds())));
            }
        }
        return out;
    }
}
