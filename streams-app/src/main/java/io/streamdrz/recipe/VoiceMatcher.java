package io.streamdrz.recipe;

import io.streamdrz.inference.ChunkSegment;
import io.streamdrz.inference.ModelContract;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Who is who in one chunk's output, by voice: the Java twin of {@code ChunkVoices} in
 * {@code models/prompts.py}, which the parity tests hold this to.
 *
 * <p>The encoder gives a unit voice embedding per frame ({@code speaker_embedding}). Built
 * once per chunk, this holds each chunk label's embedding (the mean over the chunk frames
 * where it alone speaks, if there are at least {@code match.min_frames} of them) and each
 * prompt slot's: the mean over the frames that hold its prompt audio, mixed with the
 * prompted speaker's unit voice profile ({@link SpeakerPrompt#voice()}) by
 * {@code match.profile_weight}, since two seconds of prompt are a thin sample of a voice
 * and the profile holds all of that speaker's speech heard so far. Then
 * {@link #match} says which labels are prompted speakers, {@link #segmentSlots} places
 * each of their segments by its own voice, and {@link #newLabelAliases} joins the other
 * labels that sound alike. Why not the model's labels alone: the model is trained to give
 * prompted voices their slot's label, but the voice comparison is the sturdier of the two
 * on speakers it has never heard.
 */
final class VoiceMatcher {

    /** {@link #segmentSlots}: a segment of a new speaker's label. */
    static final int NEW = -1;
    /** {@link #segmentSlots}: a segment of a prompted label that sounds like no prompt. */
    static final int STRANGER = -2;

    private final ModelContract c;
    private final List<ChunkSegment> local;
    private final float[] embeddings;
    private final int dim;
    private final boolean[][] spans;                                   // per segment: its chunk frames
    private final TreeMap<Integer, boolean[]> active = new TreeMap<>();  // label -> frames where it speaks
    private final TreeMap<Integer, double[]> labels = new TreeMap<>();   // label -> unit embedding
    private final Map<Integer, Integer> ownFrames = new HashMap<>();     // label -> frames it alone speaks
    private final double[][] slots;
    private final double[][] promptVoices;                             // per slot: the prompt audio alone

    /**
     * @param local         the chunk's segments (chunk time, chunk labels), clamped to the chunk
     * @param promptSamples samples of prompt audio in each slot, slot order
     * @param embeddings    {@code (encoder.frames, speaker.dim)} row-major for this chunk
     * @param profiles      per slot, the prompted speaker's voice profile (a sum of embeddings), or null
     */
    VoiceMatcher(ModelContract c, List<ChunkSegment> local, int[] promptSamples, float[] embeddings,
                 double[][] profiles) {
        if (embeddings.length != c.encoderFrames * c.speakerDim) {
            throw new IllegalArgumentException("speaker embeddings hold " + embeddings.length + " floats, expected "
                    + c.encoderFrames + " x " + c.speakerDim);
        }
        this.c = c;
        this.local = local;
        this.embeddings = embeddings;
        this.dim = c.speakerDim;
        int n = c.encoderFrames - c.encoderChunkStart;
        spans = new boolean[local.size()][n];
        for (int i = 0; i < local.size(); i++) {
            ChunkSegment s = local.get(i);
            boolean[] a = active.computeIfAbsent(s.label(), k -> new boolean[n]);
            for (int k = 0; k < n; k++) {
                double t = (k + 0.5) * c.encoderFrameSeconds;
                spans[i][k] = t >= s.start() && t < s.end();
                a[k] |= spans[i][k];
            }
        }
        for (Map.Entry<Integer, boolean[]> e : soloFrames(c, local).entrySet()) {
            int frames = countOf(e.getValue());
            if (frames >= c.matchMinFrames) {
                labels.put(e.getKey(), chunkMean(e.getValue()));
                ownFrames.put(e.getKey(), frames);
            }
        }
        int step = c.encoderFrameSamples;
        int perSlot = c.slotSamples() / step;
        slots = new double[promptSamples.length][];
        promptVoices = new double[promptSamples.length][];
        for (int j = 0; j < slots.length; j++) {
            int frames = Math.max(1, Math.min(perSlot, (Math.min(promptSamples[j], c.promptSamples()) + step - 1) / step));
            slots[j] = unitMean(dim, embeddings, j * perSlot, frames, null);
            promptVoices[j] = slots[j].clone();
            if (profiles != null && profiles[j] != null) {
                double[] p = unit(profiles[j].clone());
                double[] mixed = new double[dim];
                for (int d = 0; d < dim; d++) {
                    mixed[d] = (1.0 - c.profileWeight) * slots[j][d] + c.profileWeight * p[d];
                }
                slots[j] = unit(mixed);
            }
        }
    }

    /** A prompt slot without a voice profile: {@link #VoiceMatcher(ModelContract, List, int[], float[], double[][])}. */
    VoiceMatcher(ModelContract c, List<ChunkSegment> local, int[] promptSamples, float[] embeddings) {
        this(c, local, promptSamples, embeddings, null);
    }

    /** The sum of the voice embeddings of {@code frames} chunk frames: what a voice profile grows by. */
    record VoiceSum(double[] sum, int frames) {
    }

    /**
     * Per call label in {@code segments} (chunk time), the sum of the voice embeddings of the
     * chunk frames where it alone speaks, if there are at least {@code match.min_frames}
     * of them.
     */
    static Map<Integer, VoiceSum> ownVoiceSums(ModelContract c, List<ChunkSegment> segments, float[] embeddings) {
        Map<Integer, VoiceSum> out = new TreeMap<>();
        for (Map.Entry<Integer, boolean[]> e : soloFrames(c, segments).entrySet()) {
            double[] sum = new double[c.speakerDim];
            int used = 0;
            for (int k = 0; k < e.getValue().length; k++) {
                if (e.getValue()[k]) {
                    int offset = (c.encoderChunkStart + k) * c.speakerDim;
                    for (int d = 0; d < sum.length; d++) {
                        sum[d] += embeddings[offset + d];
                    }
                    used++;
                }
            }
            if (used >= c.matchMinFrames) {
                out.put(e.getKey(), new VoiceSum(sum, used));
            }
        }
        return out;
    }

    /**
     * Per label in {@code segments} (chunk time), ascending, the chunk frames (centres at
     * {@code (k + 0.5) * frame_seconds}) where it alone speaks; a label may have none.
     */
    static TreeMap<Integer, boolean[]> soloFrames(ModelContract c, List<ChunkSegment> segments) {
        int n = c.encoderFrames - c.encoderChunkStart;
        TreeMap<Integer, boolean[]> active = new TreeMap<>();
        for (ChunkSegment s : segments) {
            boolean[] a = active.computeIfAbsent(s.label(), k -> new boolean[n]);
            for (int k = 0; k < n; k++) {
                double t = (k + 0.5) * c.encoderFrameSeconds;
                a[k] |= t >= s.start() && t < s.end();
            }
        }
        int[] count = new int[n];
        for (boolean[] a : active.values()) {
            for (int k = 0; k < n; k++) {
                count[k] += a[k] ? 1 : 0;
            }
        }
        for (boolean[] a : active.values()) {
            for (int k = 0; k < n; k++) {
                a[k] &= count[k] == 1;
            }
        }
        return active;
    }

    /**
     * Unit mean embedding of the chunk frames marked in {@code frames}, null if none is
     * marked (as {@code _unit(frames[mask].mean(0))} in prompts.py).
     */
    static double[] chunkMean(ModelContract c, float[] embeddings, boolean[] frames) {
        return countOf(frames) == 0 ? null : unitMean(c.speakerDim, embeddings, c.encoderChunkStart, frames.length, frames);
    }

    /** Per chunk label with at least {@code match.min_frames} frames of its own, its unit voice; labels ascending. */
    Map<Integer, double[]> labelVoices() {
        return java.util.Collections.unmodifiableMap(labels);
    }

    /** Unit mean embedding of slot {@code j}'s prompt audio, without the speaker's profile. */
    double[] promptVoice(int j) {
        return promptVoices[j];
    }

    /** Unit mean embedding of the chunk frames whose centre is in {@code [a, b)}, null if none is. */
    double[] regionVoice(double a, double b) {
        boolean[] m = new boolean[c.encoderFrames - c.encoderChunkStart];
        for (int k = 0; k < m.length; k++) {
            double t = (k + 0.5) * c.encoderFrameSeconds;
            m[k] = t >= a && t < b;
        }
        return chunkMean(c, embeddings, m);
    }

    /** The cosine of two unit vectors (or of any two, as a dot product). */
    static double cosine(double[] a, double[] b) {
        double s = 0;
        for (int d = 0; d < a.length; d++) {
            s += a[d] * b[d];
        }
        return s;
    }

    /** {@code v} scaled to unit length, as a new array. */
    static double[] unitCopy(double[] v) {
        return unit(v.clone());
    }

    /**
     * Chunk label to slot, for the labels that are prompted speakers:
     * <ol>
     *   <li>among the one-to-one label-to-slot assignments that only pair a label and a slot
     *       whose cosine is at least {@code match.threshold}, the one with the largest sum of
     *       frames x cosine wins, so a long stretch of speech outweighs a short, noisier one
     *       (ties: the first found, labels ascending, slots ascending, "no slot" last);</li>
     *   <li>a label left over joins its most similar slot if the cosine is at least
     *       {@code match.merge_threshold}: the model splits one voice into two labels far
     *       more often than two callers sound alike;</li>
     *   <li>a label too short to compare keeps the model's own answer (label i below the
     *       number of prompts is slot i).</li>
     * </ol>
     * Labels left out are new speakers. As {@code match_labels} in prompts.py.
     */
    Map<Integer, Integer> match() {
        int nSlots = slots.length;
        int[] order = labels.keySet().stream().mapToInt(Integer::intValue).toArray();
        double[][] cos = new double[order.length][nSlots];
        double[] weight = new double[order.length];
        for (int i = 0; i < order.length; i++) {
            weight[i] = ownFrames.get(order[i]);
            for (int j = 0; j < nSlots; j++) {
                cos[i][j] = cosine(labels.get(order[i]), slots[j]);
            }
        }
        Search s = new Search(weight, cos, c.matchThreshold);
        s.run(0, new boolean[nSlots], 0.0, new int[order.length]);
        Map<Integer, Integer> out = new HashMap<>();
        for (int i = 0; i < order.length; i++) {
            if (s.best[i] >= 0) {
                out.put(order[i], s.best[i]);
            }
        }
        for (int i = 0; i < order.length; i++) {
            if (!out.containsKey(order[i]) && nSlots > 0) {
                int j = argmax(cos[i]);
                if (cos[i][j] >= c.mergeThreshold) {
                    out.put(order[i], j);
                }
            }
        }
        for (int label : active.keySet()) {
            if (!labels.containsKey(label) && label < nSlots) {
                out.put(label, label);
            }
        }
        return out;
    }

    /**
     * Per segment, its prompt slot, {@link #NEW} for a new speaker's or {@link #STRANGER}:
     * the labels decide who is new ({@code slotOf}, from {@link #match}); the voice decides
     * which known speaker each segment is. A segment of a prompted label goes to the slot
     * its own frames (inside it, where no other label speaks) are most similar to, if it
     * has at least {@code match.min_frames} of them (else to its label's slot), unless
     * even that similarity is below {@code match.stranger_threshold}: then it is someone
     * the prompts do not hold. The model often gives two alternating voices one label;
     * their prompts tell them apart. As {@code segment_slots} in prompts.py.
     */
    int[] segmentSlots(Map<Integer, Integer> slotOf) {
        int[] out = new int[local.size()];
        for (int i = 0; i < local.size(); i++) {
            int label = local.get(i).label();
            Integer slot = slotOf.get(label);
            if (slot == null) {
                out[i] = NEW;
                continue;
            }
            boolean[] own = spans[i].clone();
            for (Map.Entry<Integer, boolean[]> e : active.entrySet()) {
                if (e.getKey() != label) {
                    for (int k = 0; k < own.length; k++) {
                        own[k] &= !e.getValue()[k];
                    }
                }
            }
            if (countOf(own) < c.matchMinFrames) {
                out[i] = slot;
                continue;
            }
            double[] v = chunkMean(own);
            double[] cos = new double[slots.length];
            for (int j = 0; j < slots.length; j++) {
                cos[j] = cosine(v, slots[j]);
            }
            int best = argmax(cos);
            out[i] = cos[best] >= c.strangerThreshold ? best : STRANGER;
        }
        return out;
    }

    /**
     * Label to the label it is the same new speaker as, for labels without a slot: in
     * label order, a label joins the first earlier one of these whose voice it is the most
     * similar to, if the cosine is at least {@code match.merge_threshold}, or
     * {@code match.unprompted_merge_threshold} in a chunk without prompts (a call's first
     * chunk). Stricter there because with prompts a leftover label is most often the
     * model splitting a known voice, while without them two labels are most often two
     * callers, and a wrong merge at a call's start puts both voices into the first
     * speaker's prompt and voice profile, which every later chunk is matched against.
     * As {@code merge_new_labels} in prompts.py.
     */
    Map<Integer, Integer> newLabelAliases(Map<Integer, Integer> slotOf) {
        double threshold = slots.length > 0 ? c.mergeThreshold : c.unpromptedMergeThreshold;
        List<Integer> fresh = new ArrayList<>();
        for (int label : labels.keySet()) {
            if (!slotOf.containsKey(label)) {
                fresh.add(label);
            }
        }
        Map<Integer, Integer> alias = new HashMap<>();
        for (int i = 0; i < fresh.size(); i++) {
            List<Integer> heads = new ArrayList<>();
            for (int other : fresh.subList(0, i)) {
                if (!alias.containsKey(other)) {
                    heads.add(other);
                }
            }
            if (heads.isEmpty()) {
                continue;
            }
            double[] cos = new double[heads.size()];
            for (int k = 0; k < cos.length; k++) {
                cos[k] = cosine(labels.get(fresh.get(i)), labels.get(heads.get(k)));
            }
            int j = argmax(cos);
            if (cos[j] >= threshold) {
                alias.put(fresh.get(i), heads.get(j));
            }
        }
        return alias;
    }

    /** Exhaustive search of the one-to-one assignments (at most 6 labels and 3 slots: a few hundred). */
    private static final class Search {
        final double[] weight;
        final double[][] cos;
        final double threshold;
        double bestTotal = -1.0;
        int[] best;

        Search(double[] weight, double[][] cos, double threshold) {
            this.weight = weight;
            this.cos = cos;
            this.threshold = threshold;
            this.best = new int[weight.length];
            Arrays.fill(best, -1);
        }

        void run(int i, boolean[] used, double total, int[] chosen) {
            if (i == weight.length) {
                if (total > bestTotal + 1e-9) {
                    bestTotal = total;
                    best = chosen.clone();
                }
                return;
            }
            for (int j = 0; j < used.length; j++) {
                if (!used[j] && cos[i][j] >= threshold) {
                    used[j] = true;
                    chosen[i] = j;
                    run(i + 1, used, total + weight[i] * cos[i][j], chosen);
                    used[j] = false;
                }
            }
            chosen[i] = -1;
            run(i + 1, used, total, chosen);
        }
    }

    /** Unit mean embedding of the chunk frames marked in {@code frames}. */
    private double[] chunkMean(boolean[] frames) {
        return unitMean(dim, embeddings, c.encoderChunkStart, frames.length, frames);
    }

    /** Unit mean embedding of {@code n} frames from {@code first}, those marked in {@code keep} (all if null). */
    private static double[] unitMean(int dim, float[] embeddings, int first, int n, boolean[] keep) {
        double[] v = new double[dim];
        int used = 0;
        for (int f = 0; f < n; f++) {
            if (keep == null || keep[f]) {
                int offset = (first + f) * dim;
                for (int d = 0; d < dim; d++) {
                    v[d] += embeddings[offset + d];
                }
                used++;
            }
        }
        for (int d = 0; d < dim; d++) {
            v[d] /= used;
        }
        return unit(v);
    }

    /** {@code v} scaled to unit length in place (unchanged if zero), as {@code _unit} in prompts.py. */
    private static double[] unit(double[] v) {
        double norm = 0;
        for (double x : v) {
            norm += x * x;
        }
        norm = Math.sqrt(norm);
        if (norm > 0) {
            for (int d = 0; d < v.length; d++) {
                v[d] /= norm;
            }
        }
        return v;
    }

    static int countOf(boolean[] m) {
        int n = 0;
        for (boolean b : m) {
            n += b ? 1 : 0;
        }
        return n;
    }

    /** Index of the largest value, the first one on a tie (as numpy's argmax). */
    private static int argmax(double[] v) {
        int best = 0;
        for (int j = 1; j < v.length; j++) {
            if (v[j] > v[best]) {
                best = j;
            }
        }
        return best;
    }

}
