package io.streamdrz.metrics;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A cumulative histogram with fixed upper bounds, Prometheus' way: {@link #bucketCount(int)}
 * counts observations {@code <=} bound i, and the last bucket ({@code +Inf}) counts them all.
 * Thread-safe, lock-free.
 */
public final class Histogram {

    private final double[] bounds;
    private final AtomicLongArray counts;
    private final LongAdder count = new LongAdder();
    private final DoubleAdder sum = new DoubleAdder();

    /** @param bounds increasing upper bounds, without {@code +Inf} */
    public Histogram(double... bounds) {
        for (int i = 1; i < bounds.length; i++) {
            if (!(bounds[i] > bounds[i - 1])) {
                throw new IllegalArgumentException("bounds must increase");
            }
        }
        this.bounds = bounds.clone();
        this.counts = new AtomicLongArray(bounds.length);
    }

    public void observe(double value) {
        for (int i = 0; i < bounds.length; i++) {
            if (value <= bounds[i]) {
                counts.incrementAndGet(i);
            }
        }
        count.increment();
        sum.add(value);
    }

    /** The upper bounds, without {@code +Inf}. */
    public double[] bounds() {
        return bounds.clone();
    }

    /** Observations {@code <=} {@code bounds()[i]} (cumulative). */
    public long bucketCount(int i) {
        return counts.get(i);
    }

    public long count() {
        return count.sum();
    }

    public double sum() {
        return sum.sum();
    }
}
