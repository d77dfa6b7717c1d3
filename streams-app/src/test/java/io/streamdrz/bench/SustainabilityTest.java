package io.streamdrz.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SustainabilityTest {

    @Test
    void nearestRankPercentiles() {
        long[] values = new long[100];
        for (int i = 0; i < 100; i++) {
            values[i] = 100 - i;    // 100 .. 1, unsorted on purpose
        }
        LatencyStats stats = new LatencyStats(values);
        assertEquals(50, stats.percentile(50));
        assertEquals(95, stats.percentile(95));
        assertEquals(99, stats.percentile(99));
        assertEquals(100, stats.percentile(100));
        assertEquals(1, stats.percentile(0.5));
        assertEquals(100, stats.max());
    }

    @Test
    void percentilesOfFewValuesAreMeasuredValues() {
        LatencyStats stats = new LatencyStats(new long[]{300, 100, 200});
        assertEquals(200, stats.percentile(50));
        assertEquals(300, stats.percentile(95));
        assertEquals(300, stats.percentile(99));
        assertEquals(-1, new LatencyStats(new long[0]).percentile(99));
        assertThrows(IllegalArgumentException.class, () -> stats.percentile(0));
    }

    @Test
    void slopeOfALine() {
        double[] t = {0, 1, 2, 3, 4};
        assertEquals(2.5, Sustainability.slope(t, new double[]{1, 3.5, 6, 8.5, 11}), 1e-9);
        assertEquals(0, Sustainability.slope(t, new double[]{7, 7, 7, 7, 7}), 1e-9);
        assertEquals(0, Sustainability.slope(new double[]{1}, new double[]{5}), 1e-9);
    }

    @Test
    void boundedJitteryLagIsSustained() {
        double[] t = new double[40];
        double[] lag = new double[40];
        for (int i = 0; i < t.length; i++) {
            t[i] = i;
            lag[i] = i % 2 == 0 ? 5 : 60;   // commits every so often: a saw, not a trend
        }
        double slope = Sustainability.slope(t, lag);
        assertTrue(Sustainability.defaults().violations(10, 10, 400, slope, 500).isEmpty());
    }

    @Test
    void eachViolationIsNamed() {
        Sustainability s = Sustainability.defaults();
        assertEquals(1, s.violations(10, 9, 400, 0, 500).size());
        assertEquals(1, s.violations(10, 10, 1001, 0, 500).size());
        assertTrue(s.violations(10, 10, 1000, 0, 500).isEmpty());
        assertEquals(1, s.violations(10, 10, -1, 0, 500).size());
        assertEquals(1, s.violations(10, 10, 400, 30, 500).size());   // 6 % of the input rate
        assertTrue(s.violations(10, 10, 400, 20, 500).isEmpty());      // 4 %
    }

    @Test
    void largestSustainedStopsAtTheFirstFailure() {
        assertEquals(8, Sustainability.largestSustained(List.of(1, 4, 8, 16, 32), List.of(true, true, true, false, true)));
        assertEquals(32, Sustainability.largestSustained(List.of(1, 4, 32), List.of(true, true, true)));
        assertEquals(0, Sustainability.largestSustained(List.of(1, 4), List.of(false, true)));
    }
}
