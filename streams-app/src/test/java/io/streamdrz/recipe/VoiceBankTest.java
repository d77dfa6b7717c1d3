package io.streamdrz.recipe;

import io.streamdrz.inference.ChunkSegment;
import io.streamdrz.inference.ContractFixtures;
import io.streamdrz.inference.ModelContract;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The call's voice bank: who is who decided by all the call's speech so far. */
class VoiceBankTest {

    private final ModelContract c = withBank(8);

    private static ModelContract withBank(int pieces) {
        return withBank(pieces, "stream");
    }

    private static ModelContract withBank(int pieces, String newSpeakers) {
        return withBank(pieces, newSpeakers, null);
    }

    private static ModelContract withBank(int pieces, String newSpeakers, String mergeDistance) {
        Map<String, String> m = ContractFixtures.metadata("encoder");
        if (mergeDistance != null) {
            m.put("streamdrz.recluster.merge_distance", mergeDistance);
        }
        m.put("streamdrz.recluster.pieces", Integer.toString(pieces));
        m.put("streamdrz.recluster.piece_seconds", "1.0");
        m.put("streamdrz.recluster.new_speakers", newSpeakers);
        return ModelContract.fromMetadata("test-encoder.onnx", m);
    }

    private double t(int k) {
        return (k + 0.5) * c.encoderFrameSeconds;
    }

    private static ChunkSegment seg(double start, double end, int label) {
        return new ChunkSegment(start, end, label, 0.9);
    }

    private static BankPiece piece(ModelContract c, int voice, int label) {
        double[] e = new double[c.speakerDim];
        e[voice] = 1.0;
        return new BankPiece(BankPiece.quantize(e), 1.0, label);
    }

    private CallState twoKnownVoices() {
        List<BankPiece> bank = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            bank.add(piece(c, 4, 0));
            bank.add(piece(c, 7, 1));
        }
        return new CallState(List.of(), 2, 3, List.of(), bank);
    }

    @Test
    void aTurnTheStreamGaveTheWrongSpeakerTakesTheVoiceItSoundsLike() {
        CallState state = twoKnownVoices();
        IntUnaryOperator voice = k -> t(k) < 2.0 ? 4 : t(k) < 4.0 ? 7 : -1;
        List<ChunkSegment> out = VoiceBank.relabel(c, state, List.of(seg(0.0, 2.0, 0), seg(2.0, 4.0, 0)),
                VoiceEmbeddings.of(c, voice), 0);
        assertEquals(List.of(seg(0.0, 2.0, 0), seg(2.0, 4.0, 1)), out);
    }

    @Test
    void aSegmentOfTwoVoicesSplitsWhereItsPiecesChangeLabel() {
        CallState state = twoKnownVoices();
        IntUnaryOperator voice = k -> t(k) < 2.0 ? 4 : t(k) < 4.0 ? 7 : -1;
        List<ChunkSegment> out = VoiceBank.relabel(c, state, List.of(seg(0.0, 4.0, 1)),
                VoiceEmbeddings.of(c, voice), 0);
        assertEquals(List.of(seg(0.0, 2.0, 0), seg(2.0, 4.0, 1)), out);
    }

    @Test
    void aSpeakerTheBankHasNoPieceOfKeepsTheLabelTheStreamGave() {
        CallState state = new CallState(List.of(), 3, 3, List.of(), twoKnownVoices().bank());
        List<ChunkSegment> segs = List.of(seg(0.0, 2.0, 2));     // sounds like speaker 1, labelled new
        assertEquals(segs, VoiceBank.relabel(c, state, segs, VoiceEmbeddings.of(c, k -> t(k) < 2.0 ? 7 : -1), 0));
    }

    @Test
    void withNewSpeakersToTheBankAKnownVoiceLabelledNewTakesItsLabelAndANewVoiceKeepsItsOwn() {
        ModelContract bankJudges = withBank(8, "bank");
        List<ChunkSegment> segs = List.of(seg(0.0, 2.0, 2));     // speaker 1's voice, labelled new, in a 2-party call
        float[] known = VoiceEmbeddings.of(c, k -> t(k) < 2.0 ? 7 : -1);
        assertEquals(List.of(seg(0.0, 2.0, 1)), VoiceBank.relabel(bankJudges, threeLabels(), segs, known, 2));
        assertEquals(segs, VoiceBank.relabel(c, threeLabels(), segs, known, 2));
        float[] stranger = VoiceEmbeddings.of(c, k -> t(k) < 2.0 ? 11 : -1);
        assertEquals(segs, VoiceBank.relabel(bankJudges, threeLabels(), segs, stranger, 0));
        List<ChunkSegment> oneVoice = List.of(seg(0.0, 2.0, 0), seg(2.0, 4.0, 1));   // an empty bank: the stream's
        assertEquals(oneVoice, VoiceBank.relabel(bankJudges, new CallState(List.of(), 2, 3, List.of(), List.of()),
                oneVoice, VoiceEmbeddings.of(c, k -> t(k) < 4.0 ? 7 : -1), 0));
    }

    @Test
    void aLabelTheStreamGaveAVoiceTheBankHoldsGoesBackToItWithinTheMergeDistance() {
        // three labels, two voices: speaker 2 sounds like speaker 1 (cosine 0.96); as voicebank.py's twin test
        double norm = Math.sqrt(1.0 + 0.09);
        double[] like1 = new double[c.speakerDim];
        like1[7] = 1.0 / norm;
        like1[9] = 0.3 / norm;
        List<BankPiece> bank = new ArrayList<>(twoKnownVoices().bank());
        for (int i = 0; i < 2; i++) {
            bank.add(new BankPiece(BankPiece.quantize(like1), 1.0, 2));
        }
        float[] emb = VoiceEmbeddings.of(c, k -> -1);
        for (int k = 0; t(k) < 2.0; k++) {
            for (int d = 0; d < c.speakerDim; d++) {
                emb[(c.encoderChunkStart + k) * c.speakerDim + d] = (float) like1[d];
            }
        }
        List<ChunkSegment> segs = List.of(seg(0.0, 2.0, 2));
        assertEquals(segs, VoiceBank.relabel(c, new CallState(List.of(), 3, 3, List.of(), bank), segs, emb, 0));
        assertEquals(List.of(seg(0.0, 2.0, 1)), VoiceBank.relabel(withBank(8, "stream", "0.2"),
                new CallState(List.of(), 3, 3, List.of(), bank), segs, emb, 0));
        assertEquals(segs, VoiceBank.relabel(withBank(8, "stream", "0.02"),
                new CallState(List.of(), 3, 3, List.of(), bank), segs, emb, 0));
    }

    @Test
    void averageLinkageMergesBelowTheMergeDistanceOnlyOnceNClustersAreLeft() {
        double[][] x = {unit3(1, 0, 0), unit3(0.95, 0.31, 0), unit3(0, 1, 0), unit3(0, 0, 1)};
        assertArrayEquals(new int[]{0, 0, 1, 2}, linkage(x, 3));
        assertArrayEquals(new int[]{0, 0, 1, 2}, linkage(x, 3, 0.5), "the rest are 1 apart");
        assertArrayEquals(new int[]{0, 0, 1, 2}, linkage(x, 4, 0.1), "0.05 apart merge");
        assertArrayEquals(new int[]{0, 1, 2, 3}, linkage(x, 4));
        assertArrayEquals(new int[]{0, 0, 0, 0}, linkage(x, 1, 2.0));
    }

    private static double[] unit3(double a, double b, double c) {
        double n = Math.sqrt(a * a + b * b + c * c);
        return new double[]{a / n, b / n, c / n};
    }

    private CallState threeLabels() {
        return new CallState(List.of(), 3, 3, List.of(), twoKnownVoices().bank());
    }

    @Test
    void theBankKeepsItsNewestPiecesWithTheirLabelsAndNeverMoreThanTheContractSays() {
        CallState state = twoKnownVoices();
        IntUnaryOperator voice = k -> t(k) < 4.0 ? 7 : -1;
        VoiceBank.relabel(c, state, List.of(seg(0.0, 4.0, 0)), VoiceEmbeddings.of(c, voice), 0);
        assertEquals(8, state.bank().size());
        List<BankPiece> newest = state.bank().subList(4, 8);
        assertTrue(newest.stream().allMatch(p -> p.label() == 1 && Math.abs(p.seconds() - 1.0) < 1e-9));
        assertEquals(0, state.bank().get(0).label(), "the oldest kept is the third of the six");
    }

    @Test
    void theSpeakerCapBoundsTheClustersAndWithoutItEachKnownVoiceKeepsItsLabel() {
        IntUnaryOperator voice = k -> t(k) < 2.0 ? 4 : t(k) < 4.0 ? 7 : -1;
        List<ChunkSegment> segs = List.of(seg(0.0, 2.0, 0), seg(2.0, 4.0, 1));
        assertEquals(segs, VoiceBank.relabel(c, twoKnownVoices(), segs, VoiceEmbeddings.of(c, voice), 0));
        List<ChunkSegment> one = VoiceBank.relabel(c, twoKnownVoices(), segs, VoiceEmbeddings.of(c, voice), 1);
        assertEquals(List.of(seg(0.0, 2.0, 0), seg(2.0, 4.0, 0)), one, "a one-party call has one cluster");
    }

    @Test
    void aSegmentTooShortForAPieceKeepsItsLabelAndTheBankIsUnchanged() {
        CallState state = twoKnownVoices();
        List<BankPiece> before = List.copyOf(state.bank());
        List<ChunkSegment> segs = List.of(seg(1.0, 1.1, 0));
        assertEquals(segs, VoiceBank.relabel(c, state, segs, VoiceEmbeddings.of(c, k -> 7), 0));
        assertEquals(before, state.bank());
    }

    @Test
    void quantizingKeepsAUnitEmbeddingWithinAHundredthOfCosine() {
        java.util.Random rng = new java.util.Random(1);
        double[] v = new double[128];
        double norm = 0;
        for (int d = 0; d < v.length; d++) {
            v[d] = rng.nextGaussian();
            norm += v[d] * v[d];
        }
        for (int d = 0; d < v.length; d++) {
            v[d] /= Math.sqrt(norm);
        }
        double cos = 0;
        double[] back = new BankPiece(BankPiece.quantize(v), 1.0, 0).values();
        for (int d = 0; d < v.length; d++) {
            cos += back[d] * v[d];
        }
        assertEquals(1.0, cos, 0.01);
        assertArrayEquals(new byte[]{127, -127, 1, 0}, BankPiece.quantize(new double[]{1.0, -1.0, 0.5 / 127, -0.5 / 127}));
    }

    @Test
    void bankDistancesAreTheExactIntegerCosineAndTheRestThatOfTheValues() {
        java.util.Random rng = new java.util.Random(11);
        List<BankPiece> bank = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            bank.add(new BankPiece(BankPiece.quantize(randomUnit(rng, 32)), 1.0, i % 2));
        }
        List<double[]> fresh = List.of(randomUnit(rng, 32), randomUnit(rng, 32));
        double[][] d = VoiceBank.distances(bank, fresh);
        double[][] rows = new double[7][];
        for (int i = 0; i < 7; i++) {
            rows[i] = i < 5 ? bank.get(i).values() : fresh.get(i - 5);
        }
        for (int i = 0; i < 7; i++) {
            assertEquals(Double.POSITIVE_INFINITY, d[i][i]);
            for (int j = 0; j < 7; j++) {
                if (i != j) {
                    double cos = 0;
                    for (int k = 0; k < 32; k++) {
                        cos += rows[i][k] * rows[j][k];
                    }
                    assertEquals(1.0 - cos, d[i][j], 1e-12, i + "," + j);
                    assertEquals(d[j][i], d[i][j]);
                }
            }
        }
        int exact = 0;
        for (int k = 0; k < 32; k++) {
            exact += bank.get(1).embedding()[k] * bank.get(3).embedding()[k];
        }
        assertEquals(1.0 - exact / (127.0 * 127.0), d[1][3]);     // bit for bit, as voicebank.py
        assertArrayEquals(linkage(rows, 2), VoiceBank.averageLinkage(d, 2, 0.0));
    }

    /** Average linkage of unit rows, their distances as a chunk without a bank gives them. */
    private static int[] linkage(double[][] rows, int n) {
        return linkage(rows, n, 0.0);
    }

    private static int[] linkage(double[][] rows, int n, double mergeDistance) {
        return VoiceBank.averageLinkage(VoiceBank.distances(List.of(), List.of(rows)), n, mergeDistance);
    }

    private static double[] randomUnit(java.util.Random rng, int dim) {
        double[] v = new double[dim];
        double norm = 0;
        for (int k = 0; k < dim; k++) {
            v[k] = rng.nextGaussian();
            norm += v[k] * v[k];
        }
        for (int k = 0; k < dim; k++) {
            v[k] /= Math.sqrt(norm);
        }
        return v;
    }

    @Test
    void averageLinkageMergesTheClosestGroupsAndNumbersClustersByTheirFirstRow() {
        double[][] x = {unit(1, 0.1), unit(0, 1), unit(1, 0), unit(0.1, 1), unit(1, 0.05)};
        assertArrayEquals(new int[]{0, 1, 0, 1, 0}, linkage(x, 2));
        assertArrayEquals(new int[]{0, 0, 0, 0, 0}, linkage(x, 1));
        assertArrayEquals(new int[]{0, 1, 2, 3, 4}, linkage(x, 5));
    }

    @Test
    void theFastClusteringMakesTheMergesOfAFullScanEvenWithTies() {
        java.util.Random rng = new java.util.Random(7);
        for (int trial = 0; trial < 20; trial++) {
            int m = 5 + rng.nextInt(60);
            double[][] x = new double[m][];
            for (int i = 0; i < m; i++) {
                // few distinct directions on a coarse grid: many equal distances
                x[i] = trial % 2 == 0 ? unit(rng.nextInt(3), 1 + rng.nextInt(3))
                        : unit(rng.nextGaussian(), rng.nextGaussian());
            }
            for (int n = 1; n <= Math.min(m, 6); n++) {
                assertArrayEquals(fullScan(x, n), linkage(x, n), "trial " + trial + " n " + n);
            }
        }
    }

    /** The definition: merge the first closest pair in row order, average linkage, until n are left. */
    private static int[] fullScan(double[][] x, int n) {
        int m = x.length;
        List<List<Integer>> clusters = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            clusters.add(new ArrayList<>(List.of(i)));
        }
        double[][] d = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                d[i][j] = 1.0 - (x[i][0] * x[j][0] + x[i][1] * x[j][1]);
            }
        }
        boolean[] alive = new boolean[m];
        java.util.Arrays.fill(alive, true);
        double[][] link = new double[m][m];
        for (int i = 0; i < m; i++) {
            link[i] = d[i].clone();
        }
        for (int left = m; left > n; left--) {
            int bi = -1;
            int bj = -1;
            for (int i = 0; i < m; i++) {
                for (int j = i + 1; j < m; j++) {
                    if (alive[i] && alive[j] && (bi < 0 || link[i][j] < link[bi][bj])) {
                        bi = i;
                        bj = j;
                    }
                }
            }
            double si = clusters.get(bi).size();
            double sj = clusters.get(bj).size();
            for (int k = 0; k < m; k++) {
                link[bi][k] = (si * link[bi][k] + sj * link[bj][k]) / (si + sj);
                link[k][bi] = link[bi][k];
            }
            clusters.get(bi).addAll(clusters.get(bj));
            alive[bj] = false;
        }
        int[] out = new int[m];
        int next = 0;
        for (int i = 0; i < m; i++) {
            if (alive[i]) {
                for (int row : clusters.get(i)) {
                    out[row] = next;
                }
                next++;
            }
        }
        return out;
    }

    private static double[] unit(double a, double b) {
        double n = Math.hypot(a, b);
        return new double[]{a / n, b / n};
    }

    /** A harmonic tone in a little noise: a 'voice' whose spectrum, not its embedding, tells it. */
    private static float[] tone(double freq, double seconds, long seed, int rate) {
        java.util.Random rng = new java.util.Random(seed);
        float[] x = new float[(int) (seconds * rate)];
        for (int n = 0; n < x.length; n++) {
            double t = n / (double) rate;
            double v = 0;
            for (int h = 1; h <= 3; h++) {
                v += Math.sin(2 * Math.PI * freq * h * t) / h;
            }
            x[n] = (float) (0.1 * v + 0.003 * rng.nextGaussian());
        }
        return x;
    }

    /** An 8 s chunk of the model's rate: the tones one after another from its start, then silence. */
    private static float[] chunkOf(int rate, float[]... tones) {
        float[] out = new float[8 * rate];
        int at = 0;
        for (float[] t : tones) {
            System.arraycopy(t, 0, out, at, t.length);
            at += t.length;
        }
        return out;
    }

    private ModelContract cepstral() {
        Map<String, String> m = ContractFixtures.metadata("encoder");
        m.put("streamdrz.recluster.pieces", "8");
        m.put("streamdrz.recluster.piece_seconds", "1.0");
        m.put("streamdrz.recluster.cepstral_weight", "1.0");
        return ModelContract.fromMetadata("test-encoder.onnx", m);
    }

    @Test
    void withACepstralWeightTwoVoicesTheEmbeddingHearsAsOneAreToldApartByTheirSpectra() {
        // every frame has the same embedding; speaker 0 spoke a low tone, speaker 1 a high one.
        // The chunk: the low tone, then the high one, all given label 0 by the stream
        ModelContract w = cepstral();
        int rate = w.sampleRate;
        List<BankPiece> bank = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            for (int lab = 0; lab < 2; lab++) {
                float[] audio = tone(lab == 0 ? 150.0 : 900.0, 1.0, 10L * i + lab, rate);
                short[] cep = new CepstralStatistics(w.mel, audio).over(0.0, 1.0);
                bank.add(new BankPiece(piece(w, 4, lab).embedding(), 1.0, lab, cep));
            }
        }
        float[] chunk = chunkOf(rate, tone(150.0, 2.0, 7, rate), tone(900.0, 2.0, 8, rate));
        float[] emb = VoiceEmbeddings.of(w, k -> t(k) < 4.0 ? 4 : -1);
        List<ChunkSegment> segs = List.of(seg(0.0, 4.0, 0));
        CallState state = new CallState(List.of(), 2, 3, List.of(), bank);
        assertEquals(List.of(seg(0.0, 2.0, 0), seg(2.0, 4.0, 1)), VoiceBank.relabel(w, state, segs, emb, 0, chunk));
        assertTrue(state.bank().stream().allMatch(p -> p.cepstra() != null && p.cepstra().length == 38));
        CallState plain = new CallState(List.of(), 2, 3, List.of(), bank);
        VoiceBank.relabel(c, plain, segs, emb, 0, chunk);
        assertTrue(plain.bank().subList(4, 8).stream().allMatch(p -> p.cepstra() == null), "no weight, no cepstra");
    }

    @Test
    void aBankWithoutCepstraIsClusteredByVoiceAloneAndItsNewPiecesGetThem() {
        ModelContract w = cepstral();
        IntUnaryOperator voice = k -> t(k) < 2.0 ? 4 : t(k) < 4.0 ? 7 : -1;
        float[] chunk = chunkOf(w.sampleRate, tone(150.0, 4.0, 1, w.sampleRate));
        List<ChunkSegment> segs = List.of(seg(0.0, 4.0, 1));
        CallState state = twoKnownVoices();
        List<ChunkSegment> out = VoiceBank.relabel(w, state, segs, VoiceEmbeddings.of(w, voice), 0, chunk);
        assertEquals(VoiceBank.relabel(c, twoKnownVoices(), segs, VoiceEmbeddings.of(c, voice), 0), out);
        assertEquals(List.of(true, true, true, true, false, false, false, false),
                state.bank().stream().map(p -> p.cepstra() == null).toList());
    }

    @Test
    void cepstralDistancesIgnoreWhatEveryPieceSharesAsAChannelDoes() {
        java.util.Random rng = new java.util.Random(5);
        double[][] x = new double[6][38];
        double[] channel = new double[38];
        for (int d = 0; d < 38; d++) {
            channel[d] = 3.0 * rng.nextGaussian();
        }
        List<short[]> rows = new ArrayList<>();
        List<short[]> shifted = new ArrayList<>();
        for (double[] row : x) {
            short[] a = new short[38];
            short[] b = new short[38];
            for (int d = 0; d < 38; d++) {
                row[d] = rng.nextGaussian();
                a[d] = (short) Math.floor(256 * row[d] + 0.5);
                b[d] = (short) Math.floor(256 * (row[d] + channel[d]) + 0.5);
            }
            rows.add(a);
            shifted.add(b);
        }
        double[][] d = CepstralStatistics.distances(rows);
        double[][] s = CepstralStatistics.distances(shifted);
        for (int i = 0; i < 6; i++) {
            assertEquals(0.0, d[i][i], 1e-9);
            for (int j = 0; j < 6; j++) {
                assertEquals(d[i][j], s[i][j], 0.02);
            }
        }
        assertTrue(d[0][1] > 0.1);
    }
}
