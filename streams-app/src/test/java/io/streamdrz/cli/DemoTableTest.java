package io.streamdrz.cli;

import io.streamdrz.client.SegmentReader;
import io.streamdrz.schema.SegmentStatus;
import io.streamdrz.schema.SpeakerSegment;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The demo prints segments in start order, each as soon as nothing that starts earlier can
 * still come; and, with live labels, who talks now.
 */
class DemoTableTest {

    private final StringWriter out = new StringWriter();
    /** What the fake app holds open: the earliest open start the table will be told. */
    private double openStart;

    private final DemoTable table = new DemoTable(new PrintWriter(out, true), false,
            (callId, chunksRead) -> openStart, new DemoTable.Progress(new PrintWriter(new StringWriter()), 40, false));

    /**
     * The order segments-out gave in the demo of issue 20: B from 1.2 s was held open
     * until chunk 2, and B from 16.7 s until the end, so both came after segments that
     * start later.
     */
    @Test
    void segmentsHeldOpenByTheAppArePrintedInStartOrder() {
        openStart = 1.2;  // B is talking at the end of chunk 0
        table.segment(segment(800, 2700, "A", 0));
        assertEquals(List.of(0.80), printedStarts(), "A starts before the open B: printed at once");

        openStart = 16.7;  // chunk 2 closes B's first turn; B talks again from 16.7 s
        table.segment(segment(1200, 16100, "B", 2));
        table.segment(segment(18100, 18600, "A", 2));
        assertEquals(List.of(0.80, 1.20), printedStarts(), "A at 18.1 s waits for the open B at 16.7 s");

        openStart = Double.NEGATIVE_INFINITY;  // the call's state is gone: it ended
        table.segment(segment(16700, 40000, "B", 4));
        table.callEnded("call");
        assertEquals(List.of(0.80, 1.20, 16.70, 18.10), printedStarts());
    }

    @Test
    void nothingIsPrintedWhileTheAppsStateCannotBeRead() {
        openStart = Double.NEGATIVE_INFINITY;
        table.segment(segment(800, 2700, "A", 0));
        assertEquals(List.of(), printedStarts());
        table.callEnded("call");
        assertEquals(List.of(0.80), printedStarts());
    }

    /** On a terminal the live speaker joins the progress line, redrawn in place. */
    @Test
    void theLiveSpeakerIsRedrawnInPlaceOnATerminal() {
        StringWriter err = new StringWriter();
        DemoTable.Progress progress = new DemoTable.Progress(new PrintWriter(err), 40, true, new LiveSpeakers(false));
        progress.heardLive(live(800, 2_000, "A"));
        progress.played(2.0);
        String line = "played 2.0 of 40.0 s   live: A at 2.0 s";
        assertEquals("\r" + line, err.toString());

        progress.clear();
        assertEquals("\r" + line + "\r" + " ".repeat(line.length()) + "\r", err.toString(), "the whole line is wiped");
    }

    /** Piped, the live view is one plain line per change of speaker, so that logs stay readable. */
    @Test
    void aPipedLiveViewIsALinePerChangeOfSpeaker() {
        StringWriter err = new StringWriter();
        DemoTable.Progress progress = new DemoTable.Progress(new PrintWriter(err), 40, false, new LiveSpeakers(false));
        progress.heardLive(live(800, 2_000, "A"));
        progress.heardLive(live(2_000, 3_000, "A"));
        progress.heardLive(live(3_100, 4_000, "B"));
        progress.heardLive(live(1_000, 2_500, "A"));   // a window relabelling older audio: not news
        assertEquals("live: A from 0.80 s\nlive: B from 3.10 s\n", err.toString().replace("\r\n", "\n"));
    }

    @Test
    void severalCallsShareTheLiveLineEachNamed() {
        LiveSpeakers speakers = new LiveSpeakers(true);
        speakers.heard(new SegmentReader.Segment("c-2", liveSegment(0, 1_500, "B"), 0, 0));
        speakers.heard(new SegmentReader.Segment("c-1", liveSegment(0, 1_200, "A"), 0, 0));
        assertEquals("live: c-1 A at 1.2 s, c-2 B at 1.5 s", speakers.line());
        speakers.ended("c-1");
        assertEquals("live: c-2 B at 1.5 s", speakers.line());
    }

    private static SegmentReader.Segment live(long startMs, long endMs, String speaker) {
        return new SegmentReader.Segment("call", liveSegment(startMs, endMs, speaker), 0, 0);
    }

    private static SpeakerSegment liveSegment(long startMs, long endMs, String speaker) {
        return SpeakerSegment.newBuilder().setCallId("call").setSpeaker(speaker).setStartMs(startMs).setEndMs(endMs)
                .setConfidence(0.2f).setChunkIndex(0).setModelId("test").setStatus(SegmentStatus.PROVISIONAL)
                .setRevision(1).setFinalThroughMs(0L).build();
    }

    private List<Double> printedStarts() {
        List<Double> starts = new ArrayList<>();
        for (String line : out.toString().split("\n")) {
            if (!line.isBlank()) {
                starts.add(Double.parseDouble(line.strip().split("\\s+")[0]));
            }
        }
        return starts;
    }

    private static SegmentReader.Segment segment(long startMs, long endMs, String speaker, int chunk) {
        SpeakerSegment s = SpeakerSegment.newBuilder().setCallId("call").setSpeaker(speaker).setStartMs(startMs)
                .setEndMs(endMs).setConfidence(0.2f).setChunkIndex(chunk).setModelId("test").build();
        return new SegmentReader.Segment("call", s, 0, 0);
    }
}
