package io.streamdrz.recipe;

import io.streamdrz.inference.ChunkSegment;
import io.streamdrz.inference.ModelContract;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * Gives each frame of a chunk where one speaker alone talks to the speaker present in
 * the chunk whose voice it sounds most like, and splits segments where that changes (the
 * Python twin is {@code refine_by_voice} in {@code models/prompts.py}).
 *
 * <p>Why: the model often runs two voices into one segment (a turn change it missed),
 * and a decision per segment cannot split it; the frame voice embeddings tell the voices
 * apart far better. The voices compared with: each present speaker's voice profile once
 * it holds {@code match.profile_min_frames} frames, and then a speaker without one
 * keeps their frames and takes none (a voice sampled in one chunk would pull other
 * people's frames to a new label). In a chunk where no present speaker has a profile yet,
 * as at a call's start, the speakers' own means over their solo frames, re-estimated
 * after each of {@code refine.iterations} passes (k-means steps from the model's labels): the
 * first prompts and profiles are taken from these frames. A run of fewer than
 * {@code refine.min_run} frames of another voice keeps its segment's label. A segment splits
 * at frame edges ({@code k * encoder_frame_seconds}).
 */
final class VoiceRefiner {

    private VoiceRefiner() {
    }

    /**
     * @param segments   chunk time, call labels, sorted by start then end
     * @param embeddings the encoder's unit voice embedding per frame, row-major
     *                   {@code (encoder_frames, speaker_dim)}
     * @param profileOf  a call label's voice profile (any length-scaled sum) if it holds
     *                   enough frames to compare with, else null
     * @return the segments, split and relabelled, sorted by start then end (stable)
     */
    static List<ChunkSegment> refine(ModelContract c, List<ChunkSegment> segments, float[] embeddings,
                                     IntFunction<double[]> profileOf) {
        int n = c.encoderFrames - c.encoderChunkStart;
        double fs = c.encoderFrameSeconds;
        TreeMap<Integer, boolean[]> solo = VoiceMatcher.soloFrames(c, segments);
        if (solo.size() < 2) {
            return segments;
        }
        int m = solo.size();
        int[] labels = new int[m];
        boolean[][] own = new boolean[m][];
        int[] owner = new int[n];     // the label index speaking alone at frame k, or -1
        Arrays.fill(owner, -1);
        int next = 0;
        for (Map.Entry<Integer, boolean[]> e : solo.entrySet()) {
            labels[next] = e.getKey();
            own[next] = e.getValue();
            for (int k = 0; k < n; k++) {
                if (own[next][k]) {
                    owner[k] = next;
                }
            }
            next++;
        }
        double[][] voices = new double[m][];
        boolean anyProfile = false;
        for (int i = 0; i < m; i++) {
            double[] p = profileOf.apply(labels[i]);
            if (p != null) {
                voices[i] = VoiceMatcher.unitCopy(p);
                anyProfile = true;
            }
        }
        if (!anyProfile) {
            for (int i = 0; i < m; i++) {
                voices[i] = VoiceMatcher.chunkMean(c, embeddings, own[i]);
            }
        }
        int voiced = 0;
        for (double[] v : voices) {
            voiced += v != null ? 1 : 0;
        }
        if (voiced < 2) {
            return segments;
        }
        boolean[] movable = new boolean[n];
        for (int k = 0; k < n; k++) {
            movable[k] = owner[k] >= 0 && voices[owner[k]] != null;
        }
        int[] assign = owner.clone();
        for (int pass = 0; pass < c.refineIterations; pass++) {
            for (int k = 0; k < n; k++) {
                assign[k] = movable[k] ? nearest(c, embeddings, k, voices) : owner[k];
            }
            if (!anyProfile) {
                for (int i = 0; i < m; i++) {
                    boolean[] taken = new boolean[n];
                    for (int k = 0; k < n; k++) {
                        taken[k] = movable[k] && assign[k] == i;
                    }
                    double[] v = VoiceMatcher.chunkMean(c, embeddings, taken);
                    if (v != null) {
                        voices[i] = v;
                    }
                }
            }
        }
        for (int k = 0; k < n; ) {       // short runs of another voice go back to the segment's label
            int j = k + 1;
            while (j < n && movable[j] && movable[k] && assign[j] == assign[k] && owner[j] == owner[k]) {
                j++;
            }
            if (movable[k] && assign[k] != owner[k] && j - k < c.refineMinRun) {
                System.arraycopy(owner, k, assign, k, j - k);
            }
            k = j;
        }
        List<ChunkSegment> out = new ArrayList<>(segments.size() + 4);
        for (ChunkSegment s : segments) {
            double start = s.start();
            int current = s.label();
            for (int k = 0; k < n; k++) {
                double t = (k + 0.5) * fs;
                if (t < s.start() || t >= s.end()) {
                    continue;
                }
                int who = movable[k] ? labels[assign[k]] : s.label();
                if (who != current) {
                    double b = Math.max(start, Math.min(s.end(), k * fs));
                    if (b > start) {
                        out.add(new ChunkSegment(start, b, current, s.confidence()));
                    }
                    start = b;
                    current = who;
                }
            }
            if (s.end() > start) {
                out.add(new ChunkSegment(start, s.end(), current, s.confidence()));
            }
        }
        out.sort(Comparator.comparingDouble(ChunkSegment::start).thenComparingDouble(ChunkSegment::end));
        return out;
    }

    /** Index of the voice most similar to frame {@code k} (the first of equals). */
    private static int nearest(ModelContract c, float[] embeddings, int k, double[][] voices) {
        int offset = (c.encoderChunkStart + k) * c.speakerDim;
        int best = -1;
        double bestCos = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < voices.length; i++) {
            if (voices[i] == null) {
                continue;
            }
            double dot = 0.0;
            for (int d = 0; d < c.speakerDim; d++) {
                dot += (double) embeddings[offset + d] * voices[i][d];
            }
            if (dot > bestCos) {
                bestCos = dot;
                best = i;
            }
        }
        return best;
    }
}
