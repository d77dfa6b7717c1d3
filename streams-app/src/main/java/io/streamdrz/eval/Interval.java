package io.streamdrz.eval;

/** A half-open time interval {@code [start, end)} in seconds. */
public record Interval(double start, double end) {

    public double length() {
        return end - start;
    }
}
