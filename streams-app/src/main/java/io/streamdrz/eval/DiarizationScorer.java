package io.streamdrz.eval;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Diarization error rate (DER, NIST md-eval-22 conventions) and Jaccard error rate (JER,
 * dscore), by exact interval arithmetic. A port of {@code models/der.py}, whose
 * docstring is the full statement of the conventions; in short:
 *
 * <ul>
 *   <li>time is cut into elementary intervals at every reference, hypothesis, region and
 *       collar boundary; per interval of length d with N_ref, N_hyp active speakers and
 *       N_correct mapped pairs both active: missed += max(0, N_ref - N_hyp) d, false
 *       alarm += max(0, N_hyp - N_ref) d, confusion += (min(N_ref, N_hyp) - N_correct) d;
 *       overlap is scored;</li>
 *   <li>the one-to-one speaker mapping maximises co-active time over the scoring region
 *       WITHOUT collars (Hungarian), as md-eval does; only pairs with positive co-active
 *       time are kept;</li>
 *   <li>collar c removes {@code [t-c, t+c]} around every reference boundary from scoring;</li>
 *   <li>the scoring region is the UEM, else the union of reference and hypothesis extent
 *       (dscore) or the reference extent (plain md-eval, {@link DefaultRegion#REF});</li>
 *   <li>times are rounded to 1 ns; same-speaker turns that overlap are merged, touching
 *       ones are kept apart (their common boundary keeps its collar); zero-length turns
 *       are ignored;</li>
 *   <li>totals sum times over files; files only in the hypothesis are not scored.</li>
 * </ul>
 */
public final class DiarizationScorer {

    /** The scoring region of a file without a UEM. */
    public enum DefaultRegion {
        /** Earliest onset to latest offset over reference and hypothesis (dscore). */
        UNION,
        /** The reference extent only (md-eval without {@code -u}). */
        REF
    }

    private DiarizationScorer() {
    }

    // ------------------------------------------------------------------ DER

    /**
     * Scores one file.
     *
     * @param uem the scoring intervals, or null for the default region
     */
    public static DerResult score(List<SpeakerTurn> ref, List<SpeakerTurn> hyp, double collar, List<Interval> uem,
                                  DefaultRegion defaultRegion) {
        if (collar < 0) {
            throw new IllegalArgumentException("collar must be >= 0");
        }
        Map<String, List<Interval>> r = bySpeaker(ref);
        Map<String, List<Interval>> h = bySpeaker(hyp);
        List<Interval> region = region(r, h, uem, defaultRegion);
        List<Interval> scored = region;
        if (collar > 0) {
            List<Interval> holes = new ArrayList<>();
            for (List<Interval> v : r.values()) {
                for (Interval iv : v) {
                    holes.add(new Interval(iv.start() - collar, iv.start() + collar));
                    holes.add(new Interval(iv.end() - collar, iv.end() + collar));
                }
            }
            scored = subtract(region, merge(holes, true));
        }
        List<Double> extra = new ArrayList<>();
        for (Interval iv : region) {
            extra.add(iv.start());
            extra.add(iv.end());
        }
        for (Interval iv : scored) {
            extra.add(iv.start());
            extra.add(iv.end());
        }
        Timeline tl = new Timeline(r, h, extra);

        double[] evalWeight = tl.weights(region);
        Map<String, String> mapping = optimalMapping(tl, evalWeight);
        int[] mappedHyp = new int[tl.refNames.length];
        for (int i = 0; i < tl.refNames.length; i++) {
            String to = mapping.get(tl.refNames[i]);
            mappedHyp[i] = to == null ? -1 : Arrays.asList(tl.hypNames).indexOf(to);
        }

        double[] d = tl.weights(scored);
        double missed = 0;
        double falseAlarm = 0;
        double confusion = 0;
        double total = 0;
        double scoredTime = 0;
        for (int k = 0; k < d.length; k++) {
            if (d[k] == 0) {
                continue;
            }
            int nRef = 0;
            int nHyp = 0;
            int nOk = 0;
            for (int i = 0; i < tl.refNames.length; i++) {
                if (tl.ref[i][k]) {
                    nRef++;
                    if (mappedHyp[i] >= 0 && tl.hyp[mappedHyp[i]][k]) {
                        nOk++;
                    }
                }
            }
            for (int j = 0; j < tl.hypNames.length; j++) {
                if (tl.hyp[j][k]) {
                    nHyp++;
                }
            }
            missed += Math.max(nRef - nHyp, 0) * d[k];
            falseAlarm += Math.max(nHyp - nRef, 0) * d[k];
            confusion += (Math.min(nRef, nHyp) - nOk) * d[k];
            total += nRef * d[k];
            scoredTime += d[k];
        }
        return new DerResult(missed, falseAlarm, confusion, total, mapping, scoredTime, collar);
    }

    /**
     * Scores every file of the reference, in file id order; a file missing from the
     * hypothesis is all missed, a file missing from the UEM gets the default region.
     *
     * @param uem per-file scoring intervals, or null
     * @return per file results (sorted by id) and their total under the key {@code null}-free {@link Scores}
     */
    public static Scores<DerResult> scoreFiles(Map<String, List<SpeakerTurn>> ref, Map<String, List<SpeakerTurn>> hyp,
                                               double collar, Map<String, List<Interval>> uem,
                                               DefaultRegion defaultRegion) {
        Map<String, DerResult> perFile = new LinkedHashMap<>();
        DerResult total = DerResult.zero(collar);
        for (String fid : new TreeMap<>(ref).keySet()) {
            List<Interval> u = uem == null ? null : uem.get(fid);
            DerResult res = score(ref.get(fid), hyp.getOrDefault(fid, List.of()), collar, u, defaultRegion);
            perFile.put(fid, res);
            total = total.plus(res);
        }
        return new Scores<>(perFile, total);
    }

    /** Per-file results and their total. */
    public record Scores<T>(Map<String, T> perFile, T total) {
    }

    private static Map<String, String> optimalMapping(Timeline tl, double[] w) {
        int nr = tl.refNames.length;
        int nh = tl.hypNames.length;
        Map<String, String> mapping = new TreeMap<>();
        if (nr == 0 || nh == 0) {
            return mapping;
        }
        double[][] overlap = new double[nr][nh];
        for (int i = 0; i < nr; i++) {
            for (int j = 0; j < nh; j++) {
                double sum = 0;
                for (int k = 0; k < w.length; k++) {
                    if (tl.ref[i][k] && tl.hyp[j][k]) {
                        sum += w[k];
                    }
                }
                overlap[i][j] = sum;
            }
        }
        int[] assigned = HungarianAssignment.maximize(overlap);
        for (int i = 0; i < nr; i++) {
            if (assigned[i] >= 0 && overlap[i][assigned[i]] > 0) {
                mapping.put(tl.refNames[i], tl.hypNames[assigned[i]]);
            }
        }
        return mapping;
    }

    // ------------------------------------------------------------------ JER

    /** Jaccard error rate of one file (dscore / DIHARD II definition), no collar. */
    public static JerResult jer(List<SpeakerTurn> ref, List<SpeakerTurn> hyp, List<Interval> uem,
                                DefaultRegion defaultRegion) {
        Map<String, List<Interval>> r = bySpeaker(ref);
        Map<String, List<Interval>> h = bySpeaker(hyp);
        List<Interval> region = region(r, h, uem, defaultRegion);
        List<Double> extra = new ArrayList<>();
        for (Interval iv : region) {
            extra.add(iv.start());
            extra.add(iv.end());
        }
        Timeline tl = new Timeline(r, h, extra);
        double[] w = tl.weights(region);
        double[] refDur = new double[tl.refNames.length];
        double[] hypDur = new double[tl.hypNames.length];
        for (int k = 0; k < w.length; k++) {
            for (int i = 0; i < refDur.length; i++) {
                if (tl.ref[i][k]) {
                    refDur[i] += w[k];
                }
            }
            for (int j = 0; j < hypDur.length; j++) {
                if (tl.hyp[j][k]) {
                    hypDur[j] += w[k];
                }
            }
        }
        List<Integer> refKeep = new ArrayList<>();
        List<Integer> hypKeep = new ArrayList<>();
        for (int i = 0; i < refDur.length; i++) {
            if (refDur[i] > 0) {
                refKeep.add(i);
            }
        }
        for (int j = 0; j < hypDur.length; j++) {
            if (hypDur[j] > 0) {
                hypKeep.add(j);
            }
        }
        Map<String, Double> errors = new TreeMap<>();
        Map<String, String> mapping = new TreeMap<>();
        for (int i : refKeep) {
            errors.put(tl.refNames[i], 1.0);
        }
        if (refKeep.isEmpty() || hypKeep.isEmpty()) {
            return new JerResult(errors, mapping, hypKeep.size());
        }
        double[][] cost = new double[refKeep.size()][hypKeep.size()];
        for (int a = 0; a < refKeep.size(); a++) {
            int i = refKeep.get(a);
            for (int b = 0; b < hypKeep.size(); b++) {
                int j = hypKeep.get(b);
                double inter = 0;
                for (int k = 0; k < w.length; k++) {
                    if (tl.ref[i][k] && tl.hyp[j][k]) {
                        inter += w[k];
                    }
                }
                double union = refDur[i] + hypDur[j] - inter;
                cost[a][b] = 1.0 - inter / union;
            }
        }
        int[] assigned = HungarianAssignment.minimize(cost);
        for (int a = 0; a < assigned.length; a++) {
            if (assigned[a] >= 0) {
                String rn = tl.refNames[refKeep.get(a)];
                errors.put(rn, cost[a][assigned[a]]);
                mapping.put(rn, tl.hypNames[hypKeep.get(assigned[a])]);
            }
        }
        return new JerResult(errors, mapping, hypKeep.size());
    }

    /** JER per file and overall: the mean over all reference speakers of all files (pooled). */
    public static Scores<JerResult> jerFiles(Map<String, List<SpeakerTurn>> ref, Map<String, List<SpeakerTurn>> hyp,
                                             Map<String, List<Interval>> uem, DefaultRegion defaultRegion) {
        Map<String, JerResult> perFile = new LinkedHashMap<>();
        Map<String, Double> pooled = new LinkedHashMap<>();
        int hypSpeakers = 0;
        for (String fid : new TreeMap<>(ref).keySet()) {
            List<Interval> u = uem == null ? null : uem.get(fid);
            JerResult res = jer(ref.get(fid), hyp.getOrDefault(fid, List.of()), u, defaultRegion);
            perFile.put(fid, res);
            res.speakerErrors().forEach((spk, e) -> pooled.put(fid + "\u0000" + spk, e));
            hypSpeakers += res.hypSpeakers();
        }
        return new Scores<>(perFile, new JerResult(pooled, Map.of(), hypSpeakers));
    }

    // ------------------------------------------------------------------ intervals

    /** Python's {@code round(x, 9)}: md-eval compares times with a 1e-8 s tolerance. */
    static double round9(double x) {
        return new BigDecimal(x).setScale(9, RoundingMode.HALF_EVEN).doubleValue();
    }

    /** Turns grouped by speaker (sorted names), rounded to 1 ns, zero-length dropped, overlaps merged. */
    static Map<String, List<Interval>> bySpeaker(List<SpeakerTurn> turns) {
        Map<String, List<Interval>> spk = new TreeMap<>();
        for (SpeakerTurn t : turns) {
            double s = round9(t.start());
            double e = round9(t.end());
            if (e < s) {
                throw new IllegalArgumentException("turn with end < start: " + t);
            }
            if (e > s) {
                spk.computeIfAbsent(t.speaker(), k -> new ArrayList<>()).add(new Interval(s, e));
            }
        }
        spk.replaceAll((k, v) -> merge(v, false));
        return spk;
    }

    /** The scoring region of one file. */
    public static List<Interval> region(Map<String, List<Interval>> ref, Map<String, List<Interval>> hyp,
                                        List<Interval> uem, DefaultRegion defaultRegion) {
        if (uem != null) {
            List<Interval> u = new ArrayList<>();
            for (Interval iv : uem) {
                double s = round9(iv.start());
                double e = round9(iv.end());
                if (e > s) {
                    u.add(new Interval(s, e));
                }
            }
            return merge(u, true);
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        List<Map<String, List<Interval>>> pools = defaultRegion == DefaultRegion.UNION ? List.of(ref, hyp) : List.of(ref);
        for (Map<String, List<Interval>> pool : pools) {
            for (List<Interval> v : pool.values()) {
                for (Interval iv : v) {
                    lo = Math.min(lo, iv.start());
                    hi = Math.max(hi, iv.end());
                }
            }
        }
        return lo < hi ? List.of(new Interval(lo, hi)) : List.of();
    }

    /** The default scoring region of a file's turns (see {@link #region}). */
    public static List<Interval> defaultRegion(List<SpeakerTurn> ref, List<SpeakerTurn> hyp, DefaultRegion mode) {
        return region(bySpeaker(ref), bySpeaker(hyp), null, mode);
    }

    /** Union of intervals; with {@code touching} false, {@code [a,b)} and {@code [b,c)} stay apart. */
    static List<Interval> merge(List<Interval> intervals, boolean touching) {
        List<Interval> sorted = new ArrayList<>(intervals);
        sorted.sort(Comparator.comparingDouble(Interval::start).thenComparingDouble(Interval::end));
        List<double[]> out = new ArrayList<>();
        for (Interval iv : sorted) {
            double[] last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && (iv.start() < last[1] || (touching && iv.start() == last[1]))) {
                last[1] = Math.max(last[1], iv.end());
            } else {
                out.add(new double[]{iv.start(), iv.end()});
            }
        }
        List<Interval> result = new ArrayList<>(out.size());
        for (double[] x : out) {
            result.add(new Interval(x[0], x[1]));
        }
        return result;
    }

    /** {@code region} minus {@code holes}; both sorted and merged. */
    static List<Interval> subtract(List<Interval> region, List<Interval> holes) {
        List<Interval> out = new ArrayList<>();
        int j = 0;
        for (Interval r : region) {
            double cur = r.start();
            while (j < holes.size() && holes.get(j).end() <= cur) {
                j++;
            }
            int k = j;
            while (k < holes.size() && holes.get(k).start() < r.end()) {
                Interval h = holes.get(k);
                if (h.start() > cur) {
                    out.add(new Interval(cur, h.start()));
                }
                cur = Math.max(cur, h.end());
                if (cur >= r.end()) {
                    break;
                }
                k++;
            }
            if (cur < r.end()) {
                out.add(new Interval(cur, r.end()));
            }
        }
        return out;
    }

    /** Elementary intervals between all boundaries, and who speaks in each. */
    static final class Timeline {
        final String[] refNames;
        final String[] hypNames;
        final double[] bounds;
        /** [speaker][interval] */
        final boolean[][] ref;
        final boolean[][] hyp;

        Timeline(Map<String, List<Interval>> r, Map<String, List<Interval>> h, List<Double> extra) {
            refNames = r.keySet().toArray(new String[0]);
            hypNames = h.keySet().toArray(new String[0]);
            List<Double> pts = new ArrayList<>(extra);
            for (Map<String, List<Interval>> m : List.of(r, h)) {
                for (List<Interval> v : m.values()) {
                    for (Interval iv : v) {
                        pts.add(iv.start());
                        pts.add(iv.end());
                    }
                }
            }
            double[] all = pts.stream().mapToDouble(Double::doubleValue).toArray();
            Arrays.sort(all);
            int n = 0;
            for (int i = 0; i < all.length; i++) {
                if (n == 0 || all[i] != all[n - 1]) {
                    all[n++] = all[i];
                }
            }
            bounds = Arrays.copyOf(all, n);
            ref = activity(r, refNames);
            hyp = activity(h, hypNames);
        }

        int intervals() {
            return Math.max(0, bounds.length - 1);
        }

        private boolean[][] activity(Map<String, List<Interval>> m, String[] names) {
            boolean[][] act = new boolean[names.length][intervals()];
            for (int s = 0; s < names.length; s++) {
                for (Interval iv : m.get(names[s])) {
                    int i0 = Arrays.binarySearch(bounds, iv.start());
                    int i1 = Arrays.binarySearch(bounds, iv.end());
                    for (int k = i0; k < i1; k++) {
                        act[s][k] = true;
                    }
                }
            }
            return act;
        }

        /** Per elementary interval: its duration if its middle lies in {@code region}, else 0. */
        double[] weights(List<Interval> region) {
            double[] w = new double[intervals()];
            if (region.isEmpty()) {
                return w;
            }
            double[] starts = region.stream().mapToDouble(Interval::start).toArray();
            for (int k = 0; k < w.length; k++) {
                double mid = (bounds[k] + bounds[k + 1]) / 2;
                int idx = upperBound(starts, mid) - 1;
                if (idx >= 0 && mid < region.get(idx).end()) {
                    w[k] = bounds[k + 1] - bounds[k];
                }
            }
            return w;
        }

        /** Index of the first element greater than {@code x} (numpy searchsorted side="right"). */
        private static int upperBound(double[] a, double x) {
            int lo = 0;
            int hi = a.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (a[mid] <= x) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
    }
}
