package io.streamdrz.inference;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which chunk speaker is which known caller, decided by voice: the Java twin of
 * {@code match_labels}, {@code segment_slots} and {@code merge_new_labels} in
 * {@code models/prompts.py}, which the parity tests hold this to.
 *
 * <p>The encoder gives a unit voice embedding per frame ({@code speaker_embedding}). A
 * chunk label's embedding is the mean over the chunk frames where it alone speaks
 * (at least {@code match.min_frames} of them); a slot's is the mean over the frames
 * that hold its prompt audio. Then:
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
 * Labels without a slot are new speakers; {@link #segmentSlots} then places each segment
 * of a prompted label by its own voice. Why not the model's labels alone: the model
 * is trained to give prompted voices their slot's label, but the voice comparison is the
 * sturdier of the two on speakers it has never heard.
 */
final class VoiceMatcher {

    /** {@link #segmentSlots}: a segment of a new speaker's label. */
    static final int NEW = -1;
    /** {@link #segmentSlots}: a segment of a prompted label that sounds like no prompt. */
    static final int STRANGER = -2;

    private VoiceMatcher() {
    }

    /**
     * @param local         the chunk's segments (chunk time, chunk labels), clamped to the chunk
     * @param promptSamples samples of prompt audio in each slot, slot order
     * @param embeddings    {@code (encoder.frames, speaker.dim)} row-major for this chunk
     * @return chunk label to slot, for the labels that are prompted speakers
     */
    static Map<Integer, Integer> match(ModelContract c, List<ChunkSegment> local, int[] promptSamples,
                                       float[] embeddings) {
        int dim = c.speakerDim;
        if (embeddings.length != c.encoderFrames * dim) {
            throw new IllegalArgumentException("speaker embeddings hold " + embeddings.length + " floats, expected "
                    + c.encoderFrames + " x " + dim);
        }
        TreeMap<Integer, double[]> labels = labelEmbeddings(c, local, embeddings);   // mean..., frames last
        int nSlots = promptSamples.length;
        double[][] slots = new double[nSlots][];
        for (int j = 0; j < nSlots; j++) {
            slots[j] = slotEmbedding(c, embeddings, j, promptSamples[j]);
        }
        int[] order = labels.keySet().stream().mapToInt(Integer::intValue).toArray();
        double[][] cos = new double[order.length][nSlots];
        for (int i = 0; i < order.length; i++) {
            for (int j = 0; j < nSlots; j++) {
                cos[i][j] = dot(labels.get(order[i]), slots[j], dim);
            }
        }
        Search s = new Search(order, labels, cos, c.matchThreshold, dim);
        s.run(0, new boolean[nSlots], 0.0, new int[order.length]);
        Map<Integer, Integer> out = new HashMap<>();
        for (int i = 0; i < order.length; i++) {
            if (s.best[i] >= 0) {
                out.put(order[i], s.best[i]);
            }
        }
        for (int i = 0; i < order.length; i++) {
            if (!out.containsKey(order[i]) && nSlots > 0) {
                int j = 0;
                for (int k = 1; k < nSlots; k++) {
                    if (cos[i][k] > cos[i][j]) {
                        j = k;
                    }
                }
                if (cos[i][j] >= c.mergeThreshold) {
                    out.put(order[i], j);
                }
            }
        }
        TreeSet<Integer> all = new TreeSet<>();
        for (ChunkSegment seg : local) {
            all.add(seg.label());
        }
        for (int label : all) {
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
     * the prompts do not hold. The model often gives
     * two alternating voices one label; their prompts tell them apart. As
     * {@code segment_slots} in prompts.py.
     */
    static int[] segmentSlots(ModelContract c, List<ChunkSegment> local, int[] promptSamples, float[] embeddings,
                              Map<Integer, Integer> slotOf) {
        int n = c.encoderFrames - c.encoderChunkStart;
        int dim = c.speakerDim;
        boolean[][] spans = new boolean[local.size()][];
        TreeMap<Integer, boolean[]> active = new TreeMap<>();
        for (int i = 0; i < local.size(); i++) {
            spans[i] = span(c, local.get(i), n);
            boolean[] a = active.computeIfAbsent(local.get(i).label(), k -> new boolean[n]);
            for (int k = 0; k < n; k++) {
                a[k] |= spans[i][k];
            }
        }
        double[][] slots = new double[promptSamples.length][];
        for (int j = 0; j < slots.length; j++) {
            slots[j] = slotEmbedding(c, embeddings, j, promptSamples[j]);
        }
        int[] out = new int[local.size()];
        for (int i = 0; i < local.size(); i++) {
            int label = local.get(i).label();
            Integer slot = slotOf.get(label);
            if (slot == null) {
                out[i] = NEW;
                continue;
            }
            double[] sum = new double[dim];
            int frames = 0;
            for (int k = 0; k < n; k++) {
                boolean own = spans[i][k];
                for (Map.Entry<Integer, boolean[]> e : active.entrySet()) {
                    if (e.getKey() != label && e.getValue()[k]) {
                        own = false;
                    }
                }
                if (own) {
                    add(sum, embeddings, (c.encoderChunkStart + k) * dim, dim);
                    frames++;
                }
            }
            if (frames < c.matchMinFrames) {
                out[i] = slot;
                continue;
            }
            unitMean(sum, frames, dim);
            int best = 0;
            for (int j = 1; j < slots.length; j++) {
                if (dot(sum, slots[j], dim) > dot(sum, slots[best], dim)) {
                    best = j;
                }
            }
            out[i] = dot(sum, slots[best], dim) >= c.strangerThreshold ? best : STRANGER;
        }
        return out;
    }

    /**
     * Label to the label it is the same new speaker as, for labels without a slot: in
     * label order, a label joins the first earlier one of these whose voice it is the most
     * similar to, if the cosine is at least {@code match.merge_threshold} (the model splits
     * one voice into two labels; with no prompt to compare with, as in a call's first
     * chunk, the two labels are compared with each other). As {@code merge_new_labels} in
     * prompts.py.
     */
    static Map<Integer, Integer> newLabelAliases(ModelContract c, List<ChunkSegment> local, float[] embeddings,
                                                 Map<Integer, Integer> slotOf) {
        TreeMap<Integer, double[]> labels = labelEmbeddings(c, local, embeddings);
        List<Integer> fresh = new java.util.ArrayList<>();
        for (int label : labels.keySet()) {
            if (!slotOf.containsKey(label)) {
                fresh.add(label);
            }
        }
        Map<Integer, Integer> alias = new HashMap<>();
        for (int i = 0; i < fresh.size(); i++) {
            int label = fresh.get(i);
            int head = -1;
            double best = 0;
            for (int k = 0; k < i; k++) {
                int other = fresh.get(k);
                if (alias.containsKey(other)) {
                    continue;
                }
                double cos = dot(labels.get(label), labels.get(other), c.speakerDim);
                if (head < 0 || cos > best) {
                    head = other;
                    best = cos;
                }
            }
            if (head >= 0 && best >= c.mergeThreshold) {
                alias.put(label, head);
            }
        }
        return alias;
    }

    /** The chunk frames whose centres {@code (k + 0.5) * frame} lie in the segment. */
    private static boolean[] span(ModelContract c, ChunkSegment s, int n) {
        boolean[] m = new boolean[n];
        for (int k = 0; k < n; k++) {
            double t = (k + 0.5) * c.encoderFrameSeconds;
            m[k] = t >= s.start() && t < s.end();
        }
        return m;
    }

    /** Exhaustive search of the one-to-one assignments (at most 6 labels and 3 slots: a few hundred). */
    private static final class Search {
        final int[] order;
        final double[] weight;
        final double[][] cos;
        final double threshold;
        double bestTotal = -1.0;
        int[] best;

        Search(int[] order, Map<Integer, double[]> labels, double[][] cos, double threshold, int dim) {
            this.order = order;
            this.cos = cos;
            this.threshold = threshold;
            this.weight = new double[order.length];
            for (int i = 0; i < order.length; i++) {
                weight[i] = labels.get(order[i])[dim];
            }
            this.best = new int[order.length];
            java.util.Arrays.fill(best, -1);
        }

        void run(int i, boolean[] used, double total, int[] chosen) {
            if (i == order.length) {
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

    /** label -> unit mean embedding with the frame count appended, for labels with enough frames of their own. */
    static TreeMap<Integer, double[]> labelEmbeddings(ModelContract c, List<ChunkSegment> local, float[] emb) {
        int n = c.encoderFrames - c.encoderChunkStart;
        int dim = c.speakerDim;
        TreeMap<Integer, boolean[]> active = new TreeMap<>();
        int[] count = new int[n];
        for (ChunkSegment s : local) {
            boolean[] a = active.computeIfAbsent(s.label(), k -> new boolean[n]);
            boolean[] m = span(c, s, n);
            for (int k = 0; k < n; k++) {
                a[k] |= m[k];
            }
        }
        for (boolean[] a : active.values()) {
            for (int k = 0; k < n; k++) {
                count[k] += a[k] ? 1 : 0;
            }
        }
        TreeMap<Integer, double[]> out = new TreeMap<>();
        for (Map.Entry<Integer, boolean[]> e : active.entrySet()) {
            double[] sum = new double[dim + 1];
            int frames = 0;
            for (int k = 0; k < n; k++) {
                if (e.getValue()[k] && count[k] == 1) {
                    add(sum, emb, (c.encoderChunkStart + k) * dim, dim);
                    frames++;
                }
            }
            if (frames >= c.matchMinFrames) {
                unitMean(sum, frames, dim);
                sum[dim] = frames;
                out.put(e.getKey(), sum);
            }
        }
        return out;
    }

    /** Unit mean embedding of the frames of slot {@code slot} that hold its {@code samples} of prompt audio. */
    static double[] slotEmbedding(ModelContract c, float[] emb, int slot, int samples) {
        int step = c.encoderFrameSamples;
        int perSlot = c.slotSamples() / step;
        int frames = Math.max(1, Math.min(perSlot, (Math.min(samples, c.promptSamples()) + step - 1) / step));
        double[] sum = new double[c.speakerDim];
        for (int f = 0; f < frames; f++) {
            add(sum, emb, (slot * perSlot + f) * c.speakerDim, c.speakerDim);
        }
        unitMean(sum, frames, c.speakerDim);
        return sum;
    }

    private static void add(double[] sum, float[] emb, int offset, int dim) {
        for (int d = 0; d < dim; d++) {
            sum[d] += emb[offset + d];
        }
    }

    private static void unitMean(double[] v, int n, int dim) {
        double norm = 0;
        for (int d = 0; d < dim; d++) {
            v[d] /= n;
            norm += v[d] * v[d];
        }
        norm = Math.sqrt(norm);
        if (norm > 0) {
            for (int d = 0; d < dim; d++) {
                v[d] /= norm;
            }
        }
    }

    private static double dot(double[] a, double[] b, int dim) {
        double s = 0;
        for (int d = 0; d < dim; d++) {
            s += a[d] * b[d];
        }
        return s;
    }
}
