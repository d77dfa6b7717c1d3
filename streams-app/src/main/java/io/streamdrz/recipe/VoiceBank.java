package io.streamdrz.recipe;

import io.streamdrz.inference.ChunkSegment;
import io.streamdrz.inference.ModelContract;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A call's own speech decides who is who: the voice embeddings of the pieces of about
 * {@code recluster.piece_seconds} the call has labelled (the newest {@code recluster.pieces}
 * of them, kept in {@link CallState}) are clustered with the chunk's new pieces into as many
 * clusters as the call has speakers (at most the speaker cap), and on while the two closest
 * are nearer than {@code recluster.merge_distance} (a voice the stream took for two speakers
 * is one again). Each cluster keeps the label its earlier pieces hold most, one cluster per
 * label, and the chunk's pieces take their cluster's label. Where the stream gave a piece a
 * label the bank holds no piece of (a new speaker), {@code recluster.new_speakers} says who
 * decides: the bank, like the rest, once it holds any piece, or the stream. Labels already
 * given never change. With {@code recluster.cepstral_weight} w above 0, each piece also keeps
 * its {@link CepstralStatistics} and two pieces' distance is (voice + w cepstral) / (1 + w).
 * The Python twin is {@code models/voicebank.py}, decision for decision.
 *
 * <p>Why: the decoder and the prompt matching see one chunk and a few seconds of prompt
 * audio; a voice the model never met is easily confused with the other party on so little,
 * and all the call's speech so far tells them apart far better.
 */
final class VoiceBank {

    /** Seconds: two encoder frames, the least a mean embedding rests on. */
    static final double MIN_PIECE = 0.16;

    private VoiceBank() {
    }

    /** A piece of segment {@code segment}, chunk time, with its unit embedding. */
    private record Piece(double start, double end, int segment, double[] embedding) {
    }

    /** {@link #relabel(ModelContract, CallState, List, float[], int, float[])} by voice alone. */
    static List<ChunkSegment> relabel(ModelContract c, CallState state, List<ChunkSegment> segments,
                                      float[] embeddings, int speakerCap) {
        return relabel(c, state, segments, embeddings, speakerCap, null);
    }

    /**
     * Relabels the chunk's segments piece by piece and adds the pieces to the call's bank.
     *
     * @param segments   chunk time, call labels, sorted by start then end
     * @param embeddings the encoder's unit voice embedding per frame, row-major
     * @param speakerCap at most this many speakers in the call, 0 for no limit
     * @param chunk      the chunk's audio, for the cepstral statistics when
     *                   {@code recluster.cepstral_weight} is above 0; may be null otherwise
     * @return the segments, split where their pieces' labels change, sorted by start then end
     */
    static List<ChunkSegment> relabel(ModelContract c, CallState state, List<ChunkSegment> segments,
                                      float[] embeddings, int speakerCap, float[] chunk) {
        List<Piece> rows = pieces(c, segments, embeddings);
        if (rows.isEmpty()) {
            return segments;
        }
        List<BankPiece> bank = state.bank();
        int nLabels = state.labelCount();
        double[] seconds = new double[bank.size() + rows.size()];
        for (int i = 0; i < bank.size(); i++) {
            seconds[i] = bank.get(i).seconds();
        }
        for (int r = 0; r < rows.size(); r++) {
            seconds[bank.size() + r] = rows.get(r).end() - rows.get(r).start();
        }
        int n = speakerCap > 0 ? Math.min(speakerCap, nLabels) : nLabels;
        short[][] cepstra = new short[rows.size()][];
        double[][] dist = distances(bank, rows.stream().map(Piece::embedding).toList());
        if (c.reclusterCepstralWeight > 0 && chunk != null) {
            CepstralStatistics stats = new CepstralStatistics(c.mel, chunk);
            for (int r = 0; r < rows.size(); r++) {
                cepstra[r] = stats.over(rows.get(r).start(), rows.get(r).end());
            }
            fuse(dist, bank, cepstra, c.reclusterCepstralWeight);
        }
        int[] cluster = averageLinkage(dist, n, c.reclusterMergeDistance);
        int[] labelOf = assignLabels(cluster, bank, seconds, rows, segments, nLabels);
        // "stream": a speaker the bank has no piece of (new in this chunk, or silent for a long
        // time) is the recipe's to decide, since the bank has no piece of them to compare with.
        // "bank": the bank decides them too, once it holds anything: an empty bank (the call's
        // first speech) knows nothing the chunk's own voice refinement did not
        Set<Integer> banked = new HashSet<>();
        bank.forEach(p -> banked.add(p.label()));
        int[] pieceLabel = new int[rows.size()];
        List<BankPiece> grown = new ArrayList<>(bank);
        for (int r = 0; r < rows.size(); r++) {
            int stream = segments.get(rows.get(r).segment()).label();
            boolean judged = banked.contains(stream) || (c.reclusterJudgesNewSpeakers && !bank.isEmpty());
            pieceLabel[r] = judged ? labelOf[cluster[bank.size() + r]] : stream;
            Piece p = rows.get(r);
            grown.add(new BankPiece(BankPiece.quantize(p.embedding()), p.end() - p.start(), pieceLabel[r],
                    cepstra[r]));
        }
        state.setBank(grown.subList(Math.max(0, grown.size() - c.reclusterPieces), grown.size()));
        return split(segments, rows, pieceLabel);
    }

    /**
     * The voice distances made {@code (voice + w cepstral) / (1 + w)} in place, when every
     * bank piece has cepstral statistics (a bank stored before the model had the weight
     * stays with the voice alone until its pieces are replaced).
     */
    private static void fuse(double[][] dist, List<BankPiece> bank, short[][] fresh, double w) {
        List<short[]> rows = new ArrayList<>();
        for (BankPiece p : bank) {
            if (p.cepstra() == null) {
                return;
            }
            rows.add(p.cepstra());
        }
        rows.addAll(Arrays.asList(fresh));
        CepstralStatistics.fuse(dist, rows, w);
    }

    /** Each segment cut into pieces ({@link #cut}), chunk time. */
    private static List<Piece> pieces(ModelContract c, List<ChunkSegment> segments, float[] embeddings) {
        List<Piece> out = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            for (Cut p : cut(c, segments.get(i).start(), segments.get(i).end(), embeddings, 0.0)) {
                out.add(new Piece(p.start(), p.end(), i, p.voice()));
            }
        }
        return out;
    }

    /** A piece of a segment with the unit mean of the chunk frames over it. */
    record Cut(double start, double end, double[] voice) {
    }

    /**
     * [s, e) cut into round(length / piece_seconds) equal parts, at least one; parts under
     * {@link #MIN_PIECE} or without a frame centre are left out ({@code pieces} in
     * voicebank.py). The chunk's frames start at {@code offset} seconds (0 in chunk time).
     */
    static List<Cut> cut(ModelContract c, double s, double e, float[] embeddings, double offset) {
        List<Cut> out = new ArrayList<>();
        int n = Math.max(1, (int) Math.floor((e - s) / c.reclusterPieceSeconds + 0.5));
        for (int j = 0; j < n; j++) {
            double a = s + (e - s) * j / n;
            double b = s + (e - s) * (j + 1) / n;
            double[] v = b - a >= MIN_PIECE ? meanFrames(c, embeddings, c.encoderChunkStart, offset, a, b) : null;
            if (v != null) {
                out.add(new Cut(a, b, v));
            }
        }
        return out;
    }

    /**
     * Unit mean of the chunk frames whose centre is in [a, b); null if none is. The chunk's
     * frames are the rows of {@code embeddings} from {@code firstRow} on, the first of them
     * starting at {@code offset} seconds.
     */
    static double[] meanFrames(ModelContract c, float[] embeddings, int firstRow, double offset, double a, double b) {
        int dim = c.speakerDim;
        double[] sum = new double[dim];
        int count = 0;
        for (int k = 0; k < embeddings.length / dim - firstRow; k++) {
            double t = offset + (k + 0.5) * c.encoderFrameSeconds;
            if (t >= a && t < b) {
                int row = (firstRow + k) * dim;
                for (int d = 0; d < dim; d++) {
                    sum[d] += embeddings[row + d];
                }
                count++;
            }
        }
        if (count == 0) {
            return null;
        }
        double norm = 0;
        for (int d = 0; d < dim; d++) {
            sum[d] /= count;
            norm += sum[d] * sum[d];
        }
        norm = Math.sqrt(norm);
        for (int d = 0; d < dim && norm > 0; d++) {
            sum[d] /= norm;
        }
        return sum;
    }

    /**
     * Cosine distances of the bank's pieces and the chunk's new unit rows, bank rows first
     * (with no bank, of the rows alone).
     * Between two bank pieces the dot product of their 8-bit values is an exact integer,
     * computed on int copies (the JIT multiplies those several at once, bytes not): those
     * pairs, nearly all of a full bank's, cost about half the time of doubles and come
     * out bit for bit as in the Python twin.
     */
    static double[][] distances(List<BankPiece> bank, List<double[]> fresh) {
        int b = bank.size();
        double[][] dist = new double[b + fresh.size()][b + fresh.size()];
        int[][] ints = new int[b][];
        for (int i = 0; i < b; i++) {
            ints[i] = bank.get(i).ints();
        }
        for (int i = 0; i < b; i++) {
            for (int j = i + 1; j < b; j++) {
                dist[i][j] = 1.0 - intDot(ints[i], ints[j]) / BankPiece.SCALE_SQUARED;
            }
            double[] v = bank.get(i).values();
            for (int r = 0; r < fresh.size(); r++) {
                dist[i][b + r] = 1.0 - dot(v, fresh.get(r));
            }
        }
        for (int r = 0; r < fresh.size(); r++) {
            for (int q = r + 1; q < fresh.size(); q++) {
                dist[b + r][b + q] = 1.0 - dot(fresh.get(r), fresh.get(q));
            }
        }
        return symmetric(dist);
    }

    /** The upper triangle mirrored, infinity on the diagonal (a row never merges with itself). */
    private static double[][] symmetric(double[][] dist) {
        for (int i = 0; i < dist.length; i++) {
            dist[i][i] = Double.POSITIVE_INFINITY;
            for (int j = i + 1; j < dist.length; j++) {
                dist[j][i] = dist[i][j];
            }
        }
        return dist;
    }

    /**
     * Cluster index per row of {@code dist} (symmetric cosine distances, infinite diagonal,
     * as {@link #distances} gives; overwritten): agglomerative, average linkage, merged
     * until n clusters are left, then on while the closest two are nearer than
     * {@code mergeDistance}; ties go to the first pair in row order and clusters are
     * numbered by their first row. Each row keeps its nearest later row
     * ({@link NearestLater}), so that a merge costs O(rows) rather than a scan of all pairs.
     */
    static int[] averageLinkage(double[][] dist, int n, double mergeDistance) {
        int m = dist.length;
        double[] size = new double[m];
        Arrays.fill(size, 1.0);
        int[] owner = new int[m];
        for (int i = 0; i < m; i++) {
            owner[i] = i;
        }
        NearestLater nearest = new NearestLater(dist);
        for (int left = m; left > 1; left--) {
            int i = nearest.firstClosestRow();
            if (i < 0) {
                break;     // only infinite distances left (cannot happen with finite embeddings)
            }
            int j = nearest.of(i);
            if (left <= Math.max(n, 1) && !(dist[i][j] < mergeDistance)) {
                break;
            }
            merge(dist, size, i, j);
            nearest.merged(i, j);
            for (int k = 0; k < m; k++) {
                if (owner[k] == j) {
                    owner[k] = i;
                }
            }
        }
        return numberByFirstRow(owner);
    }

    /**
     * For each live cluster row i, the live row j > i nearest to it (first on ties): the
     * closest pair overall, first in row order, is then the row with the smallest of these.
     */
    private static final class NearestLater {
        private final double[][] dist;
        private final boolean[] alive;
        private final int[] near;
        private final double[] best;

        NearestLater(double[][] dist) {
            this.dist = dist;
            int m = dist.length;
            alive = new boolean[m];
            Arrays.fill(alive, true);
            near = new int[m];
            best = new double[m];
            for (int i = 0; i < m; i++) {
                rescan(i);
            }
        }

        int of(int i) {
            return near[i];
        }

        /** The row of the closest pair (first row on ties), -1 if none. */
        int firstClosestRow() {
            int row = -1;
            for (int i = 0; i < alive.length; i++) {
                if (alive[i] && near[i] >= 0 && (row < 0 || best[i] < best[row])) {
                    row = i;
                }
            }
            return row;
        }

        /** Cluster j (j > i) joined cluster i, whose distances changed. */
        void merged(int i, int j) {
            alive[j] = false;
            for (int k = 0; k < alive.length; k++) {
                if (!alive[k]) {
                    continue;
                }
                if (k == i || near[k] == i || near[k] == j) {
                    rescan(k);
                } else if (k < i && (dist[k][i] < best[k] || (dist[k][i] == best[k] && i < near[k]))) {
                    near[k] = i;
                    best[k] = dist[k][i];
                }
            }
        }

        private void rescan(int i) {
            near[i] = -1;
            best[i] = Double.POSITIVE_INFINITY;
            for (int j = i + 1; j < alive.length; j++) {
                if (alive[j] && dist[i][j] < best[i]) {
                    best[i] = dist[i][j];
                    near[i] = j;
                }
            }
        }
    }

    /** Lance-Williams update for average linkage: cluster j joins cluster i. */
    private static void merge(double[][] dist, double[] size, int i, int j) {
        int m = dist.length;
        for (int k = 0; k < m; k++) {
            dist[i][k] = (size[i] * dist[i][k] + size[j] * dist[j][k]) / (size[i] + size[j]);
        }
        for (int k = 0; k < m; k++) {
            dist[k][i] = dist[i][k];
        }
        dist[i][i] = Double.POSITIVE_INFINITY;
        size[i] += size[j];
    }

    private static int[] numberByFirstRow(int[] owner) {
        int[] id = new int[owner.length];
        Arrays.fill(id, -1);
        int next = 0;
        int[] out = new int[owner.length];
        for (int k = 0; k < owner.length; k++) {
            if (id[owner[k]] < 0) {
                id[owner[k]] = next++;
            }
            out[k] = id[owner[k]];
        }
        return out;
    }

    /**
     * Label per cluster (-1 for one with no new piece and no earlier label). Greedy on the
     * seconds each cluster's earlier pieces hold of each label, largest first (ties: lowest
     * cluster, then lowest label), one cluster per label; a cluster left without one takes
     * the label the stream gave most of its new pieces if free, else the lowest free label.
     */
    private static int[] assignLabels(int[] cluster, List<BankPiece> bank, double[] seconds, List<Piece> rows,
                                      List<ChunkSegment> segments, int nLabels) {
        int k = Arrays.stream(cluster).max().orElse(-1) + 1;
        double[][] votes = new double[k][nLabels];
        for (int i = 0; i < bank.size(); i++) {
            int lab = bank.get(i).label();
            if (lab >= 0 && lab < nLabels) {
                votes[cluster[i]][lab] += seconds[i];
            }
        }
        int[] out = new int[k];
        Arrays.fill(out, -1);
        boolean[] taken = new boolean[nLabels];
        while (true) {
            int bc = -1;
            int bl = -1;
            double best = 0.0;
            for (int cl = 0; cl < k; cl++) {
                for (int lab = 0; lab < nLabels && out[cl] < 0; lab++) {
                    if (!taken[lab] && votes[cl][lab] > best) {
                        best = votes[cl][lab];
                        bc = cl;
                        bl = lab;
                    }
                }
            }
            if (bc < 0) {
                break;
            }
            out[bc] = bl;
            taken[bl] = true;
        }
        for (int cl = 0; cl < k; cl++) {
            if (out[cl] < 0) {
                out[cl] = streamChoice(cl, cluster, bank.size(), seconds, rows, segments, taken);
            }
        }
        return out;
    }

    /** For a cluster no earlier label went to: see {@link #assignLabels}; -1 if it has no new piece. */
    private static int streamChoice(int cl, int[] cluster, int offset, double[] seconds, List<Piece> rows,
                                    List<ChunkSegment> segments, boolean[] taken) {
        TreeMap<Integer, Double> tally = new TreeMap<>();
        for (int r = 0; r < rows.size(); r++) {
            if (cluster[offset + r] == cl) {
                tally.merge(segments.get(rows.get(r).segment()).label(), seconds[offset + r], Double::sum);
            }
        }
        if (tally.isEmpty()) {
            return -1;
        }
        int want = -1;
        double most = Double.NEGATIVE_INFINITY;
        for (Map.Entry<Integer, Double> e : tally.entrySet()) {
            if (e.getValue() > most) {
                most = e.getValue();
                want = e.getKey();
            }
        }
        if (want >= taken.length || taken[want]) {
            want = 0;
            while (taken[want]) {
                want++;
            }
        }
        taken[want] = true;
        return want;
    }

    /** Each segment cut where its pieces' labels change; where it has no piece, its own label. */
    private static List<ChunkSegment> split(List<ChunkSegment> segments, List<Piece> rows, int[] pieceLabel) {
        List<ChunkSegment> out = new ArrayList<>();
        int r = 0;
        for (int i = 0; i < segments.size(); i++) {
            ChunkSegment s = segments.get(i);
            if (r >= rows.size() || rows.get(r).segment() != i) {
                out.add(s);
                continue;
            }
            double start = s.start();
            int cur = pieceLabel[r++];
            for (; r < rows.size() && rows.get(r).segment() == i; r++) {
                if (pieceLabel[r] != cur) {
                    out.add(new ChunkSegment(start, rows.get(r).start(), cur, s.confidence()));
                    start = rows.get(r).start();
                    cur = pieceLabel[r];
                }
            }
            out.add(new ChunkSegment(start, s.end(), cur, s.confidence()));
        }
        out.sort(Comparator.comparingDouble(ChunkSegment::start).thenComparingDouble(ChunkSegment::end));
        return out;
    }

    private static int intDot(int[] a, int[] b) {
        int s = 0;
        for (int d = 0; d < a.length; d++) {
            s += a[d] * b[d];
        }
        return s;
    }

    /** The dot product of two vectors of one length. */
    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int d = 0; d < a.length; d++) {
            s += a[d] * b[d];
        }
        return s;
    }
}
