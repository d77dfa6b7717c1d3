package io.streamdrz.bench;

import java.util.Arrays;

/**
 * Percentiles of a set of latencies (milliseconds), nearest-rank: the p-th percentile
 * is the smallest value such that at least p % of the values are at most it. No
 * interpolation, so every reported value is one that was measured.
 */
public final class LatencyStats {

    private final long[] sorted;

    public LatencyStats(long[] latenciesMs) {
        this.sorted = latenciesMs.clone();
        Arrays.sort(this.sorted);
    }

    public int count() {
        return sorted.length;
    }

    /**
     * The nearest-rank percentile, {@code 0 < p <= 100}; -1 when there are no values.
     */
    public long percentile(double p) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], not " + p);
        }
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(1, Math.min(sorted.length, rank)) - 1];
    }

    public long max() {
        return sorted.length == 0 ? -1 : sorted[sorted.length - 1];
    }
}
