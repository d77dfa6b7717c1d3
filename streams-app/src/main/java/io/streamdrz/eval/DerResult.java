package io.streamdrz.eval;

import java.util.Map;

/**
 * DER components of one file (or a total) in seconds.
 *
 * @param missed      reference speaker time with too few hypothesis speakers
 * @param falseAlarm  hypothesis speaker time beyond the reference speakers
 * @param confusion   speaker time attributed to the wrong (unmapped) speaker
 * @param total       scored reference speaker time (overlapped speakers each count)
 * @param mapping     reference speaker -> hypothesis speaker (empty for totals)
 * @param scoredTime  duration of the scored region itself
 * @param collar      the md-eval collar used, seconds
 */
public record DerResult(double missed, double falseAlarm, double confusion, double total,
                        Map<String, String> mapping, double scoredTime, double collar) {

    public double errors() {
        return missed + falseAlarm + confusion;
    }

    /** DER as a fraction; with no reference speech, 0 without errors and 1 with (dscore's convention). */
    public double der() {
        if (total > 0) {
            return errors() / total;
        }
        return errors() <= 1e-12 ? 0.0 : 1.0;
    }

    /** Sum of times (md-eval's ALL line); the mapping is dropped. */
    public DerResult plus(DerResult o) {
        return new DerResult(missed + o.missed, falseAlarm + o.falseAlarm, confusion + o.confusion,
                total + o.total, Map.of(), scoredTime + o.scoredTime, collar);
    }

    public static DerResult zero(double collar) {
        return new DerResult(0, 0, 0, 0, Map.of(), 0, collar);
    }
}
