package io.streamdrz.recipe;

import io.streamdrz.inference.ModelContract;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * A whole call's labels decided once more at its end ({@code final.relabel} = {@code labels};
 * what {@code streamdrz diarize} gives whole files, while the app emits each segment once,
 * live). Each segment is cut at the chunk boundaries and into pieces of about
 * {@code recluster.piece_seconds}, each piece embedded as the unit mean of the streaming
 * pass's own frames, and all of them clustered (average linkage) into as many
 * clusters as the call has live labels; each cluster takes, greedily by seconds, the
 * live label its pieces hold most, one cluster per label, and a cluster left over the
 * lowest label not yet used; then the labels are numbered again in order of first
 * appearance. Two pieces' distance is their cosine distance, or with
 * {@code final.cepstral_weight} w above 0 {@code (voice + w cepstral) / (1 + w)}, the
 * cepstral one of their {@link CepstralStatistics} standardized over all the call's pieces.
 * Why: the live labels were decided on the call so far; at its end all of it is heard.
 * A call of more than {@link #MAX_PIECES} pieces is cut into longer ones (twice as long
 * until they are few enough). The Python twin is {@code final_labels} in
 * {@code models/voicebank.py}.
 */
final class FinalLabels {

    /** At most this many pieces are clustered (a 128 MB distance matrix); a longer call is cut into longer pieces. */
    static final int MAX_PIECES = 4096;

    private FinalLabels() {
    }

    /** A piece of segment {@code segment}, call time, in chunk {@code chunk}, with its unit embedding. */
    private record Piece(double start, double end, int segment, int chunk, double[] embedding) {
    }

    /**
     * @param segments    the call's segments as the stream gave them, call time
     * @param chunkFrames per chunk, the streaming pass's unit voice embedding of each chunk
     *                    encoder frame, row-major
     * @param chunks      chunk k's audio as the stream cut it, for the cepstral statistics
     *                    when {@code final.cepstral_weight} is above 0; may be null otherwise
     * @return the segments relabelled, split where their pieces' labels change, sorted by
     *         start then end; unchanged when fewer than two pieces could be embedded
     */
    static List<CallSegment> relabel(ModelContract c, List<CallSegment> segments, List<float[]> chunkFrames,
                                     IntFunction<float[]> chunks) {
        double length = c.reclusterPieceSeconds;
        List<Piece> rows = pieces(c, segments, chunkFrames, length);
        while (rows.size() > MAX_PIECES) {     // a very long call: longer pieces, a bounded clustering
            length *= 2;
            rows = pieces(c, segments, chunkFrames, length);
        }
        if (rows.size() < 2) {
            return segments;
        }
        long live = segments.stream().mapToInt(CallSegment::label).distinct().count();
        double[][] dist = VoiceBank.distances(List.of(), rows.stream().map(Piece::embedding).toList());
        if (c.finalCepstralWeight > 0 && chunks != null) {
            CepstralStatistics.fuse(dist, cepstra(c, rows, chunks), c.finalCepstralWeight);
        }
        int[] cluster = VoiceBank.averageLinkage(dist, (int) live, 0.0);
        Map<Integer, Integer> labelOf = greedyLabels(cluster, rows, segments);
        List<CallSegment> out = new ArrayList<>();
        int r = 0;
        for (int i = 0; i < segments.size(); i++) {
            CallSegment s = segments.get(i);
            if (r >= rows.size() || rows.get(r).segment() != i) {
                out.add(s);
                continue;
            }
            double start = s.start();
            int cur = labelOf.get(cluster[r++]);
            for (; r < rows.size() && rows.get(r).segment() == i; r++) {
                int next = labelOf.get(cluster[r]);
                if (next != cur) {
                    out.add(new CallSegment(start, rows.get(r).start(), cur, s.confidence(), s.chunkIndex()));
                    start = rows.get(r).start();
                    cur = next;
                }
            }
            out.add(new CallSegment(start, s.end(), cur, s.confidence(), s.chunkIndex()));
        }
        out.sort(Comparator.comparingDouble(CallSegment::start).thenComparingDouble(CallSegment::end));
        Map<Integer, Integer> first = new HashMap<>();    // in order of first appearance, as the live labels
        List<CallSegment> renumbered = new ArrayList<>(out.size());
        for (CallSegment s : out) {
            int label = first.computeIfAbsent(s.label(), l -> first.size());
            renumbered.add(new CallSegment(s.start(), s.end(), label, s.confidence(), s.chunkIndex()));
        }
        return renumbered;
    }

    /** Each segment cut at chunk boundaries, then into pieces of about {@code length} as the voice bank cuts a chunk's. */
    private static List<Piece> pieces(ModelContract c, List<CallSegment> segments, List<float[]> chunkFrames,
                                      double length) {
        double chunk = c.chunkSamples() / (double) c.sampleRate;
        List<Piece> out = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            double s = segments.get(i).start();
            double e = segments.get(i).end();
            List<Double> cuts = new ArrayList<>(List.of(s));
            for (int k = (int) Math.floor(s / chunk) + 1; k < (int) Math.ceil(e / chunk); k++) {
                cuts.add(k * chunk);
            }
            cuts.add(e);
            for (int j = 0; j + 1 < cuts.size(); j++) {
                double a0 = cuts.get(j);
                double b0 = cuts.get(j + 1);
                int k = Math.min((int) Math.floor((a0 + 1e-9) / chunk), chunkFrames.size() - 1);
                int n = Math.max(1, (int) Math.floor((b0 - a0) / length + 0.5));
                for (int p = 0; p < n; p++) {
                    double a = a0 + (b0 - a0) * p / n;
                    double b = a0 + (b0 - a0) * (p + 1) / n;
                    double[] v = b - a >= VoiceBank.MIN_PIECE
                            ? VoiceBank.meanFrames(c, chunkFrames.get(k), 0, k * chunk, a, b) : null;
                    if (v != null) {
                        out.add(new Piece(a, b, i, k, v));
                    }
                }
            }
        }
        return out;
    }

    /** Each piece's cepstral statistics over its own chunk's frames, chunk time. */
    private static List<short[]> cepstra(ModelContract c, List<Piece> rows, IntFunction<float[]> chunks) {
        double chunk = c.chunkSamples() / (double) c.sampleRate;
        List<short[]> out = new ArrayList<>(rows.size());
        CepstralStatistics stats = null;
        int statsChunk = -1;
        for (Piece p : rows) {
            if (p.chunk() != statsChunk) {     // pieces come chunk by chunk: keep one chunk's
                stats = new CepstralStatistics(c.mel, chunks.apply(p.chunk()));
                statsChunk = p.chunk();
            }
            out.add(stats.over(p.start() - p.chunk() * chunk, p.end() - p.chunk() * chunk));
        }
        return out;
    }

    /**
     * Label per cluster: greedily by the seconds each cluster holds of each live label, the
     * largest first (ties: lowest cluster, then lowest label), one cluster per label; the
     * clusters left take the lowest labels no cluster has, in cluster order.
     */
    private static Map<Integer, Integer> greedyLabels(int[] cluster, List<Piece> rows, List<CallSegment> segments) {
        int k = 0;
        int n = 0;
        for (int r = 0; r < rows.size(); r++) {
            k = Math.max(k, cluster[r] + 1);
            n = Math.max(n, segments.get(rows.get(r).segment()).label() + 1);
        }
        double[][] votes = new double[k][n];
        for (int r = 0; r < rows.size(); r++) {
            votes[cluster[r]][segments.get(rows.get(r).segment()).label()] += rows.get(r).end() - rows.get(r).start();
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
