package io.streamdrz.eval;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HungarianAssignmentTest {

    @Test
    void aSmallCaseByHand() {
        double[][] cost = {{4, 1, 3}, {2, 0, 5}, {3, 2, 2}};
        // 1 + 2 + 2 = 5 (row0->col1, row1->col0, row2->col2)
        assertArrayEquals(new int[]{1, 0, 2}, HungarianAssignment.minimize(cost));
    }

    @Test
    void rectangularMatricesLeaveTheSurplusOut() {
        int[] wide = HungarianAssignment.minimize(new double[][]{{5, 1, 9, 9}, {1, 5, 9, 9}});
        assertArrayEquals(new int[]{1, 0}, wide);
        // three rows, two columns: the cheapest two rows get them (1 + 0), row 1 is left out
        int[] tall = HungarianAssignment.minimize(new double[][]{{5, 1}, {1, 5}, {0, 3}});
        assertArrayEquals(new int[]{1, -1, 0}, tall);
        assertArrayEquals(new int[0], HungarianAssignment.minimize(new double[0][0]));
        assertArrayEquals(new int[]{-1, -1}, HungarianAssignment.minimize(new double[2][0]));
    }

    @Test
    void matchesBruteForceOnRandomMatrices() {
        Random rng = new Random(42);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + rng.nextInt(6);
            int m = 1 + rng.nextInt(6);
            double[][] w = new double[n][m];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    w[i][j] = rng.nextInt(4) == 0 ? 0 : Math.round(rng.nextDouble() * 100) / 10.0;
                }
            }
            int[] got = HungarianAssignment.maximize(w);
            double value = 0;
            boolean[] used = new boolean[m];
            int assigned = 0;
            for (int i = 0; i < n; i++) {
                if (got[i] >= 0) {
                    assertTrue(!used[got[i]], "one-to-one");
                    used[got[i]] = true;
                    value += w[i][got[i]];
                    assigned++;
                }
            }
            assertEquals(Math.min(n, m), assigned);
            assertEquals(best(w, 0, new boolean[m]), value, 1e-9, "trial " + trial);
        }
    }

    private static double best(double[][] w, int row, boolean[] used) {
        if (row == w.length) {
            return 0;
        }
        int free = 0;
        for (boolean u : used) {
            free += u ? 0 : 1;
        }
        double result = w.length - row > free ? best(w, row + 1, used) : Double.NEGATIVE_INFINITY;  // row left out
        for (int j = 0; j < used.length; j++) {
            if (!used[j]) {
                used[j] = true;
                result = Math.max(result, w[row][j] + best(w, row + 1, used));
                used[j] = false;
            }
        }
        return result;
    }
}
