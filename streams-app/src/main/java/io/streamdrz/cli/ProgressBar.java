package io.streamdrz.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on stderr for long offline jobs, redrawn in place at most
 * four times a second: share of the audio done, seconds done, real-time factor so far.
 */
final class ProgressBar {

    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final double totalSeconds;
    private final long startNanos = System.nanoTime();
    private final boolean enabled;
    private double doneSeconds;
    private long lastDraw;
    private boolean drawn;

    ProgressBar(PrintWriter err, double totalSeconds, boolean enabled) {
        this.err = err;
        this.totalSeconds = totalSeconds;
        this.enabled = enabled;
    }

    synchronized void advance(double seconds) {
        doneSeconds += seconds;
        long now = System.nanoTime();
        if (enabled && now - lastDraw > 250_000_000L) {
            lastDraw = now;
            draw(now);
        }
    }

    synchronized void finish() {
        if (enabled && drawn) {
            draw(System.nanoTime());
            err.println();
            err.flush();
        }
    }

    private void draw(long now) {
        double fraction = totalSeconds > 0 ? Math.min(1.0, doneSeconds / totalSeconds) : 1.0;
        int filled = (int) Math.round(fraction * WIDTH);
        double elapsed = (now - startNanos) / 1e9;
        err.print(String.format(Locale.ROOT, "\r[%s%s] %3.0f%%  %.0f/%.0f s of audio  RTF %.3f",
                "#".repeat(filled), ".".repeat(WIDTH - filled), 100 * fraction, doneSeconds, totalSeconds,
                doneSeconds > 0 ? elapsed / doneSeconds : 0.0));
        err.flush();
        drawn = true;
    }
}
