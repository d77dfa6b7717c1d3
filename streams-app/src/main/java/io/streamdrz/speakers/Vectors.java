package io.streamdrz.speakers;

import java.util.ArrayList;
import java.util.List;

/** The few vector operations voice comparison needs. */
public final class Vectors {

    private Vectors() {
    }

    public static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    /** {@code v} scaled to unit length, as a new array (zero stays zero). */
    public static double[] unit(double[] v) {
        double n = norm(v);
        double[] out = v.clone();
        if (n > 0) {
            for (int d = 0; d < out.length; d++) {
                out[d] /= n;
            }
        }
        return out;
    }

    /** Cosine of two vectors of equal length; 0 when either is zero or lengths differ. */
    public static double cosine(double[] a, double[] b) {
        if (a.length != b.length) {
            return 0;
        }
        double na = norm(a);
        double nb = norm(b);
        if (na == 0 || nb == 0) {
            return 0;
        }
        double s = 0;
        for (int d = 0; d < a.length; d++) {
            s += a[d] * b[d];
        }
        return s / (na * nb);
    }

    /** As Avro's array of floats. */
    public static List<Float> toFloats(double[] v) {
        List<Float> out = new ArrayList<>(v.length);
        for (double x : v) {
            out.add((float) x);
        }
        return out;
    }
}
