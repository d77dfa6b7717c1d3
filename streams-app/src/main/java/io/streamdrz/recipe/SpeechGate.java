package io.streamdrz.recipe;

import io.streamdrz.inference.ChunkSegment;
import io.streamdrz.inference.ModelContract;
import io.streamdrz.inference.SpeechRegion;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Speech decides where, the model decides who: a chunk's segments stay only if they reach
 * speech the VAD ({@link io.streamdrz.inference.SileroVad}) hears, and speech that no segment covers goes to the
 * voice it sounds most like (the regions come from
 * {@link SpeechRegion#fromVad}). Why: the model, trained on synthetic calls only, hears speech
 * in digital silence, hum, tones and music, and misses quiet or distant talk. The Python
 * twin is {@code speech_regions}/{@code gate} in {@code models/vad.py} and
 * {@code fill_speech} in {@code models/prompts.py}; the parity tests hold the two to each
 * other.
 */
public final class SpeechGate {

    private static final Comparator<ChunkSegment> BY_TIME =
            Comparator.comparingDouble(ChunkSegment::start).thenComparingDouble(ChunkSegment::end);

    private SpeechGate() {
    }

    /**
     * The gated chunk: the segments that reach speech ({@link #gate}), then speech no
     * segment covers filled by voice ({@link #fill}); sorted by start, then end.
     */
    static List<ChunkSegment> apply(ModelContract c, List<ChunkSegment> local, List<SpeechRegion> speech,
                                    double chunkSeconds, int[] promptSamples, float[] embeddings) {
        // the VAD ran on the zero-padded chunk: its last region may reach past the call's end
        List<SpeechRegion> inChunk = new ArrayList<>();
        for (SpeechRegion r : speech) {
            if (r.start() < chunkSeconds) {
                inChunk.add(new SpeechRegion(r.start(), Math.min(r.end(), chunkSeconds)));
            }
        }
        return fill(c, gate(local, inChunk), inChunk, promptSamples, embeddings);
    }

    /**
     * The segments that overlap a speech region, whole and in their order. Why whole: the
     * VAD's regions break at short pauses that a speaker's turn runs through. Why at all:
     * a segment that reaches no speech is the model hearing speech in silence, noise, hum,
     * tones or music.
     */
    static List<ChunkSegment> gate(List<ChunkSegment> segments, List<SpeechRegion> regions) {
        List<ChunkSegment> out = new ArrayList<>();
        for (ChunkSegment s : segments) {
            if (regions.stream().anyMatch(r -> Math.min(s.end(), r.end()) > Math.max(s.start(), r.start()))) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * {@code segments} plus a segment, confidence 0, for each part of a speech region that
     * no segment covers and that lasts at least {@code fillMinSeconds}: it goes to the
     * chunk label whose voice its mean frame embedding is most like (labels ascending,
     * then the prompt slots that are no label yet), or with no voice to compare to label
     * {@code n_prompted}, a new speaker. Without embeddings nothing is filled.
     */
    static List<ChunkSegment> fill(ModelContract c, List<ChunkSegment> segments, List<SpeechRegion> speech,
                                   int[] promptSamples, float[] embeddings) {
        if (embeddings == null) {
            return segments;
        }
        VoiceMatcher voices = new VoiceMatcher(c, segments, promptSamples, embeddings);
        List<Integer> candidates = new ArrayList<>();
        List<double[]> candidateVoices = new ArrayList<>();
        for (Map.Entry<Integer, double[]> e : voices.labelVoices().entrySet()) {
            candidates.add(e.getKey());
            candidateVoices.add(e.getValue());
        }
        for (int j = 0; j < promptSamples.length; j++) {
            if (!voices.labelVoices().containsKey(j)) {
                candidates.add(j);
                candidateVoices.add(voices.promptVoice(j));
            }
        }
        List<ChunkSegment> out = new ArrayList<>(segments);
        for (SpeechRegion gap : uncovered(speech, segments)) {
            if (gap.end() - gap.start() >= c.vad.fillMinSeconds()) {
                out.add(new ChunkSegment(gap.start(), gap.end(),
                        closest(voices.regionVoice(gap.start(), gap.end()), candidates, candidateVoices,
                                promptSamples.length), 0.0));
            }
        }
        out.sort(BY_TIME);
        return out;
    }

    private static int closest(double[] voice, List<Integer> labels, List<double[]> voices, int none) {
        int best = none;
        double bestCos = Double.NEGATIVE_INFINITY;
        for (int i = 0; voice != null && i < labels.size(); i++) {
            double cos = VoiceMatcher.cosine(voice, voices.get(i));
            if (cos > bestCos) {
                best = labels.get(i);
                bestCos = cos;
            }
        }
        return best;
    }

    /** The parts of {@code regions} that no segment overlaps. */
    static List<SpeechRegion> uncovered(List<SpeechRegion> regions, List<ChunkSegment> segments) {
        List<ChunkSegment> spans = new ArrayList<>(segments);
        spans.sort(BY_TIME);
        List<SpeechRegion> out = new ArrayList<>();
        for (SpeechRegion r : regions) {
            double cur = r.start();
            for (ChunkSegment s : spans) {
                if (s.end() <= cur || s.start() >= r.end()) {
                    continue;
                }
                if (s.start() > cur) {
                    out.add(new SpeechRegion(cur, s.start()));
                }
                cur = Math.max(cur, s.end());
            }
            if (cur < r.end()) {
                out.add(new SpeechRegion(cur, r.end()));
            }
        }
        return out;
    }
}
