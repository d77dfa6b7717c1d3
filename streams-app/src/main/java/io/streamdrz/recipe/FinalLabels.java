package io.streamdrz.recipe;

import io.streamdrz.inference.ModelContract;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole call's labels decided once more at its end ({@code final.relabel} = {@code labels}):
 * what {@code streamdrz diarize} gives whole files, and what the streams app writes to the
 * revised topic when a call ends. Right after the stream stitched chunk k, {@link #pieces}
 * cuts each of the call's segments within chunk k into pieces of about
 * {@code recluster.piece_seconds}, each with the unit mean of the chunk's own voice frames
 * over it and, with {@code final.cepstral_weight} above 0, its {@link CepstralStatistics};
 * chunk by chunk, because the app keeps a call's pieces in a store as its chunks go by
 * and cannot keep its audio until the end. At the end {@link #relabel} clusters all
 * the pieces (average linkage) into as many clusters as the call has live labels (fewer
 * while its two closest are nearer than {@code final.merge_distance}); each
 * cluster takes, greedily by seconds, the live label its pieces hold most, one cluster
 * per label, and a cluster left over the lowest label not yet used; each segment is cut
 * where its pieces' labels change, and the labels are numbered again in order of first
 * appearance. Two pieces' distance is their cosine distance, or with weight w
 * {@code (voice + w cepstral) / (1 + w)}, the cepstral one standardized over all the
 * call's pieces. Why: the live labels were decided on the call so far; at its end all of
 * it is heard. A call of more than {@link #MAX_PIECES} pieces is clustered by neighbouring
 * pieces joined in twos until few enough. The Python twin is {@code final_pieces} and
 * {@code final_labels} in {@code models/voicebank.py}.
 */
public final class FinalLabels {

    /** At most this many units are clustered (a 128 MB distance matrix); a longer call's neighbouring pieces are joined. */
    static final int MAX_PIECES = 4096;

    private FinalLabels() {
    }

    /**
     * The call's segments relabelled, and for each new label the label it had before the
     * renumbering: the live label its cluster took, or a spare one.
     */
    public record Relabelled(List<CallSegment> segments, Map<Integer, Integer> liveLabelOf) {
    }

    /** The segments as they are, each label its own live label: a call without a final pass. */
    public static Relabelled unchanged(List<CallSegment> segments) {
        Map<Integer, Integer> same = new HashMap<>();
        segments.forEach(s -> same.put(s.label(), s.label()));
        return new Relabelled(segments, same);
    }

    /**
     * Chunk {@code k}'s pieces, cut right after the stream stitched it.
     *
     * @param segments   the call's segments as stitched through chunk k, call time (those that
     *                   end before the chunk are skipped)
     * @param embeddings the chunk's unit voice embedding per encoder frame, prompt frames first
     * @param chunk      the chunk's audio, for the cepstral statistics; null: none
     */
    public static List<FinalPiece> pieces(ModelContract c, List<CallSegment> segments, int k, float[] embeddings,
                                          float[] chunk) {
        double t0 = k * c.chunkSeconds;
        double t1 = (k + 1) * c.chunkSeconds;
        CepstralStatistics stats = chunk == null ? null : new CepstralStatistics(c.mel, chunk);
        List<FinalPiece> out = new ArrayList<>();
        for (CallSegment s : segments) {
            if (s.start() >= t1 || s.end() <= t0) {
                continue;
            }
            for (VoiceBank.Cut p : VoiceBank.cut(c, Math.max(s.start(), t0), Math.min(s.end(), t1), embeddings, t0)) {
                out.add(new FinalPiece(p.start(), p.end(), s.label(), toFloats(p.voice()),
                        stats == null ? null : stats.over(p.start() - t0, p.end() - t0)));
            }
        }
        return out;
    }

    private static float[] toFloats(double[] v) {
        float[] out = new float[v.length];
        for (int d = 0; d < v.length; d++) {
            out[d] = (float) v[d];
        }
        return out;
    }

    /**
     * @param segments the call's segments as the stream gave them, call time
     * @param pieces   the pieces of every chunk ({@link #pieces}), in chunk order
     * @return the segments relabelled, split where their pieces' labels change, sorted by
     *         start then end; unchanged when there are fewer than two pieces
     */
    public static Relabelled relabel(ModelContract c, List<CallSegment> segments, List<FinalPiece> pieces) {
        if (pieces.size() < 2) {
            return unchanged(segments);
        }
        int shift = groupShift(pieces.size());
        double[][] dist = VoiceBank.distances(List.of(), groupVoices(pieces, shift));
        if (c.finalCepstralWeight > 0 && pieces.stream().allMatch(p -> p.cepstra() != null)) {
            CepstralStatistics.fuse(dist, groupCepstra(pieces, shift), c.finalCepstralWeight);
        }
        long live = segments.stream().mapToInt(CallSegment::label).distinct().count();
        int[] unit = VoiceBank.averageLinkage(dist, (int) live, c.finalMergeDistance);
        int[] cluster = new int[pieces.size()];
        for (int r = 0; r < cluster.length; r++) {
            cluster[r] = unit[r >> shift];
        }
        Map<Integer, Integer> labelOf = greedyLabels(cluster, pieces);
        List<CallSegment> out = split(segments, pieces, cluster, labelOf);
        out.sort(Comparator.comparingDouble(CallSegment::start).thenComparingDouble(CallSegment::end));
        Map<Integer, Integer> first = new HashMap<>();    // in order of first appearance, as the live labels
        Map<Integer, Integer> liveLabelOf = new HashMap<>();
        List<CallSegment> renumbered = new ArrayList<>(out.size());
        for (CallSegment s : out) {
            int label = first.computeIfAbsent(s.label(), l -> first.size());
            liveLabelOf.put(label, s.label());
            renumbered.add(new CallSegment(s.start(), s.end(), label, s.confidence(), s.chunkIndex()));
        }
        return new Relabelled(renumbered, liveLabelOf);
    }

    /** Joined in 2^shift: the least shift that leaves at most {@link #MAX_PIECES} units. */
    static int groupShift(int n) {
        int shift = 0;
        while ((n + (1 << shift) - 1) >> shift > MAX_PIECES) {
            shift++;
        }
        return shift;
    }

    /** Each unit's voice: the unit mean of its pieces'. */
    private static List<double[]> groupVoices(List<FinalPiece> pieces, int shift) {
        List<double[]> out = new ArrayList<>();
        for (int r = 0; r < pieces.size(); r++) {
            if (r >> shift == out.size()) {
                out.add(new double[pieces.get(r).voice().length]);
            }
            double[] sum = out.get(r >> shift);
            float[] v = pieces.get(r).voice();
            for (int d = 0; d < v.length; d++) {
                sum[d] += v[d];
            }
        }
        for (double[] v : out) {
            double norm = Math.max(Math.sqrt(VoiceBank.dot(v, v)), 1e-12);
            for (int d = 0; d < v.length; d++) {
                v[d] /= norm;
            }
        }
        return out;
    }

    /** Each unit's cepstral statistics: the mean of its pieces', rounded as the statistics are. */
    private static List<short[]> groupCepstra(List<FinalPiece> pieces, int shift) {
        if (shift == 0) {
            return pieces.stream().map(FinalPiece::cepstra).toList();
        }
        List<short[]> out = new ArrayList<>();
        int dim = pieces.get(0).cepstra().length;
        for (int g = 0; g << shift < pieces.size(); g++) {
            int from = g << shift;
            int to = Math.min(pieces.size(), from + (1 << shift));
            short[] mean = new short[dim];
            for (int d = 0; d < dim; d++) {
                double sum = 0;
                for (int r = from; r < to; r++) {
                    sum += pieces.get(r).cepstra()[d];
                }
                mean[d] = (short) Math.floor(sum / (to - from) + 0.5);
            }
            out.add(mean);
        }
        return out;
    }

    /**
     * Each segment cut where its pieces' labels change; a piece belongs to the first segment
     * of its label that holds its middle, and a segment without pieces keeps its label.
     */
    private static List<CallSegment> split(List<CallSegment> segments, List<FinalPiece> pieces, int[] cluster,
                                           Map<Integer, Integer> labelOf) {
        List<List<Integer>> mine = new ArrayList<>();
        segments.forEach(s -> mine.add(new ArrayList<>()));
        for (int r = 0; r < pieces.size(); r++) {
            int i = segmentOf(segments, pieces.get(r));
            if (i >= 0) {
                mine.get(i).add(r);
            }
        }
        List<CallSegment> out = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            CallSegment s = segments.get(i);
            List<Integer> rows = mine.get(i);
            if (rows.isEmpty()) {
                out.add(s);
                continue;
            }
            double start = s.start();
            int cur = labelOf.get(cluster[rows.get(0)]);
            for (int r : rows.subList(1, rows.size())) {
                int next = labelOf.get(cluster[r]);
                if (next != cur) {
                    out.add(new CallSegment(start, pieces.get(r).start(), cur, s.confidence(), s.chunkIndex()));
                    start = pieces.get(r).start();
                    cur = next;
                }
            }
            out.add(new CallSegment(start, s.end(), cur, s.confidence(), s.chunkIndex()));
        }
        return out;
    }

    /** Index of the first segment of the piece's label that holds its middle; -1 if none. */
    private static int segmentOf(List<CallSegment> segments, FinalPiece piece) {
        double mid = (piece.start() + piece.end()) / 2;
        for (int i = 0; i < segments.size(); i++) {
            CallSegment s = segments.get(i);
            if (s.label() == piece.label() && s.start() <= mid && mid < s.end()) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Label per cluster: greedily by the seconds each cluster holds of each live label, the
     * largest first (ties: lowest cluster, then lowest label), one cluster per label; the
     * clusters left take the lowest labels no cluster has, in cluster order.
     */
    private static Map<Integer, Integer> greedyLabels(int[] cluster, List<FinalPiece> pieces) {
        int k = 0;
        int n = 0;
        for (int r = 0; r < pieces.size(); r++) {
            k = Math.max(k, cluster[r] + 1);
            n = Math.max(n, pieces.get(r).label() + 1);
        }
        double[][] votes = new double[k][n];
        for (int r = 0; r < pieces.size(); r++) {
            votes[cluster[r]][pieces.get(r).label()] += pieces.get(r).end() - pieces.get(r).start();
        }
        Map<Integer, Integer> out = new HashMap<>();
        boolean[] used = new boolean[n + k];
        while (true) {
            int bestC = -1;
            int bestL = -1;
            for (int ci = 0; ci < k; ci++) {
                for (int l = 0; l < n; l++) {
                    boolean free = !out.containsKey(ci) && !used[l];
                    if (free && votes[ci][l] > 0 && (bestC < 0 || votes[ci][l] > votes[bestC][bestL])) {
                        bestC = ci;
                        bestL = l;
                    }
                }
            }
            if (bestC < 0) {
                break;
            }
            out.put(bestC, bestL);
            used[bestL] = true;
        }
        int spare = 0;
        for (int ci = 0; ci < k; ci++) {
            if (!out.containsKey(ci)) {
                while (used[spare]) {
                    spare++;
                }
                out.put(ci, spare);
                used[spare] = true;
            }
        }
        return out;
    }
}
