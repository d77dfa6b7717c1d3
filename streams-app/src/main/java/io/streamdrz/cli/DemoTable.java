package io.streamdrz.cli;

import io.streamdrz.client.SegmentReader;
import io.streamdrz.schema.SpeakerSegment;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * What the demo prints while a call plays: the segments in start order as they become
 * final, and a progress line.
 *
 * <p>segments-out carries each segment once it is final, but a segment that was still
 * growing (its speaker talking at the end of a chunk) is final only later, after segments
 * that start after it. So each segment waits here until no segment that starts before it
 * can still come: until it starts before every segment the app still holds open for the
 * call ({@link OpenSegments}), or the call has ended.
 */
final class DemoTable {

    /** Where the app stands with a call's segments that are not final yet. */
    @FunctionalInterface
    interface OpenSegments {
        /**
         * The earliest start (seconds) of the call's segments still open; positive infinity
         * when none is open; negative infinity when it cannot be told now (so nothing is
         * printed yet). {@code chunksRead} is the highest chunk index among the call's
         * segments read so far, so that an answer from state newer than the segments read
         * can be recognised.
         */
        double earliestStart(String callId, int chunksRead);
    }

    static final String HEADER = "    start      end  speaker  confidence  chunk  latency";
    static final String LEGEND = "(confidence: geometric mean of the model's probabilities for the segment's start, "
            + "end and speaker tokens, lowest over the pieces joined into it; time tokens share their probability "
            + "with neighbouring time bins, so 0.2 is usual. chunk: the 8 s chunk that last changed the segment.)";

    private static final Comparator<SegmentReader.Segment> START_ORDER = Comparator
            .comparingLong((SegmentReader.Segment s) -> s.segment().getStartMs())
            .thenComparing(s -> s.segment().getSpeaker());

    private final PrintWriter out;
    private final boolean withCallId;
    private final OpenSegments open;
    private final Map<String, TreeSet<SegmentReader.Segment>> waiting = new HashMap<>();
    private final Map<String, Integer> chunksRead = new HashMap<>();
    private final Progress progress;

    DemoTable(PrintWriter out, boolean withCallId, OpenSegments open, Progress progress) {
        this.out = out;
        this.withCallId = withCallId;
        this.open = open;
        this.progress = progress;
    }

    synchronized void segment(SegmentReader.Segment s) {
        waiting.computeIfAbsent(s.callId(), id -> new TreeSet<>(START_ORDER)).add(s);
        chunksRead.merge(s.callId(), s.segment().getChunkIndex(), Math::max);
        double before = open.earliestStart(s.callId(), chunksRead.get(s.callId()));
        print(release(s.callId(), before));
    }

    /** Nothing more comes for the call: whatever waits is final. */
    synchronized void callEnded(String callId) {
        print(release(callId, Double.POSITIVE_INFINITY));
        chunksRead.remove(callId);
    }

    private List<SegmentReader.Segment> release(String callId, double beforeSeconds) {
        List<SegmentReader.Segment> ready = new ArrayList<>();
        TreeSet<SegmentReader.Segment> queue = waiting.getOrDefault(callId, new TreeSet<>(START_ORDER));
        while (!queue.isEmpty() && queue.first().segment().getStartMs() / 1000.0 < beforeSeconds) {
            ready.add(queue.pollFirst());
        }
        return ready;
    }

    private void print(List<SegmentReader.Segment> segments) {
        if (segments.isEmpty()) {
            return;
        }
        progress.clear();
        for (SegmentReader.Segment s : segments) {
            SpeakerSegment seg = s.segment();
            if (withCallId) {
                out.print(s.callId() + " ");
            }
            out.printf(Locale.ROOT, "  %7.2f  %7.2f  %-7s  %10.2f  %5d  %6.2f s%n", seg.getStartMs() / 1000.0,
                    seg.getEndMs() / 1000.0, seg.getSpeaker(), seg.getConfidence(), seg.getChunkIndex(),
                    (s.readAtMs() - s.timestamp()) / 1000.0);
        }
        out.flush();
    }

    /**
     * How much of the call has been played and, with live labels, who talks now in each
     * call ({@link LiveSpeakers}), on stderr: one line redrawn in place on a terminal; else
     * a plain line every ten seconds of audio, and one whenever a call's live speaker changes
     * (so that logs stay readable).
     */
    static final class Progress {

        private static final double PLAIN_EVERY_SECONDS = 10;
        /** Redraws of the in-place line at most this often: a frame comes every 20 ms. */
        private static final long REDRAW_NANOS = 250_000_000L;

        private final PrintWriter err;
        private final double totalSeconds;
        private final boolean inPlace;
        private final LiveSpeakers live;
        private long lastDraw;
        private double lastPlain;
        private int drawnLength;

        Progress(PrintWriter err, double totalSeconds, boolean inPlace) {
            this(err, totalSeconds, inPlace, null);
        }

        /** @param live the calls' live speakers, or null to show none */
        Progress(PrintWriter err, double totalSeconds, boolean inPlace, LiveSpeakers live) {
            this.err = err;
            this.totalSeconds = totalSeconds;
            this.inPlace = inPlace;
            this.live = live;
        }

        synchronized void played(double seconds) {
            String line = String.format(Locale.ROOT, "played %.1f of %.1f s", seconds, totalSeconds);
            if (inPlace) {
                long now = System.nanoTime();
                if (now - lastDraw > REDRAW_NANOS || seconds >= totalSeconds) {
                    lastDraw = now;
                    draw(live == null || live.line().isEmpty() ? line : line + "   " + live.line());
                }
            } else if (seconds - lastPlain >= PLAIN_EVERY_SECONDS || (seconds >= totalSeconds && lastPlain < seconds)) {
                lastPlain = seconds;
                err.println(line);
                err.flush();
            }
        }

        /** A provisional segment from segments-live; shown by the next redraw, or at once as a plain line. */
        synchronized void heardLive(SegmentReader.Segment s) {
            if (live == null) {
                return;
            }
            String change = live.heard(s);
            if (!inPlace && change != null) {
                err.println(change);
                err.flush();
            }
        }

        synchronized void liveEnded(String callId) {
            if (live != null) {
                live.ended(callId);
            }
        }

        /** Wipes the in-place line so that a table row does not print over it. */
        synchronized void clear() {
            if (drawnLength > 0) {
                err.print("\r" + " ".repeat(drawnLength) + "\r");
                err.flush();
                drawnLength = 0;
            }
        }

        private void draw(String line) {
            // Pad over the rest of a longer line drawn before.
            err.print("\r" + line + " ".repeat(Math.max(0, drawnLength - line.length())));
            err.flush();
            drawnLength = Math.max(drawnLength, line.length());
        }
    }
}
