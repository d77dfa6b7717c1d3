package io.streamdrz.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * When a load step counts as sustained: the app keeps up with N real-time calls.
 *
 * <ul>
 *   <li>every call finished (its end-of-call record arrived on segments-out before the
 *       step's deadline);</li>
 *   <li>the 99th percentile latency, from the frame holding a chunk's last sample being
 *       produced to the chunk's output being readable, is at most {@code maxP99Ms}
 *       (default 1 s: "p99 no more than 1 s beyond the chunk's end");</li>
 *   <li>the consumer lag of the app on audio-in does not grow while the calls play:
 *       the least-squares slope of the sampled lag (records per second) is at most
 *       {@code maxLagGrowth} of the rate at which frames are produced. A lag that stays
 *       bounded, however jittery, has a slope near zero; an app that falls behind
 *       accumulates a fixed share of every second's frames.</li>
 * </ul>
 *
 * @param maxP99Ms     bound on the 99th percentile latency
 * @param maxLagGrowth bound on lag slope / produce rate
 */
public record Sustainability(long maxP99Ms, double maxLagGrowth) {

    public static Sustainability defaults() {
        return new Sustainability(1000, 0.05);
    }

    public Sustainability withMaxP99(long ms) {
        return new Sustainability(ms, maxLagGrowth);
    }

    /** Why a step is not sustained; empty when it is. */
    public List<String> violations(int callsStarted, int callsEnded, long p99Ms, double lagSlopePerSecond,
                                   double framesPerSecond) {
        List<String> out = new ArrayList<>();
        if (callsEnded < callsStarted) {
            out.add((callsStarted - callsEnded) + " of " + callsStarted + " calls did not finish in time");
        }
        if (p99Ms < 0 || p99Ms > maxP99Ms) {
            out.add("p99 latency " + (p99Ms < 0 ? "unknown" : p99Ms + " ms") + " > " + maxP99Ms + " ms");
        }
        if (framesPerSecond > 0 && lagSlopePerSecond > maxLagGrowth * framesPerSecond) {
            out.add(String.format(java.util.Locale.ROOT, "lag grows by %.1f records/s (%.0f%% of the input rate)",
                    lagSlopePerSecond, 100 * lagSlopePerSecond / framesPerSecond));
        }
        return out;
    }

    /**
     * Least-squares slope of {@code values} over {@code times} (units of value per unit
     * of time); 0 with fewer than two distinct times.
     */
    public static double slope(double[] times, double[] values) {
        int n = Math.min(times.length, values.length);
        if (n < 2) {
            return 0;
        }
        double mt = 0;
        double mv = 0;
        for (int i = 0; i < n; i++) {
            mt += times[i];
            mv += values[i];
        }
        mt /= n;
        mv /= n;
        double num = 0;
        double den = 0;
        for (int i = 0; i < n; i++) {
            num += (times[i] - mt) * (values[i] - mv);
            den += (times[i] - mt) * (times[i] - mt);
        }
        return den == 0 ? 0 : num / den;
    }

    /**
     * The largest N of a ramp that was sustained with every smaller step sustained too
     * (steps in ramp order); 0 if the first step failed.
     */
    public static int largestSustained(List<Integer> calls, List<Boolean> sustained) {
        int best = 0;
        for (int i = 0; i < calls.size(); i++) {
            if (!sustained.get(i)) {
                break;
            }
            best = Math.max(best, calls.get(i));
        }
        return best;
    }
}
