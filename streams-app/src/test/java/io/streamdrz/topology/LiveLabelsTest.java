package io.streamdrz.topology;

import io.streamdrz.recipe.CallSegment;
import io.streamdrz.schema.AudioFrame;
import io.streamdrz.schema.SegmentStatus;
import io.streamdrz.schema.SpeakerSegment;
import io.streamdrz.topology.TestCalls.Seg;

import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Live labels in the TopologyTestDriver: provisional segments on the live topic, then the final ones. */
class LiveLabelsTest {

    /** 2 s chunks, a window every 0.5 s: voice 5 (A), silence, voice 2 (B) across chunk 0's end, ... */
    static final String[] SCRIPT = {"5:1500", "0:300", "2:1200", "5:700", "0:400"};
    static final int CHUNK = 32_000;
    static final LiveConfig LIVE = LiveConfig.every(Duration.ofMillis(500), "segments-live");

    @TempDir
    Path stateDir;

    private TopologyHarness harness(ChunkInference engine, LiveConfig live) {
        return new TopologyHarness(TopologyConfig.builder().build(), null, engine, stateDir, live);
    }

    @Test
    void provisionalLabelsComeAHopAfterTheAudioLongBeforeTheFinalOnes() {
        try (TopologyHarness h = harness(new FakeInference(CHUNK), LIVE)) {
            List<AudioFrame> frames = TestCalls.frames("call-1", SCRIPT);
            h.sendAll(frames.subList(0, 25));       // 0.5 s
            List<SpeakerSegment> live = values(h.segmentsLive.readRecordsToList());
            assertEquals(List.of(new Seg("A", 0, 500)), segs(live));
            SpeakerSegment first = live.get(0);
            assertEquals(SegmentStatus.PROVISIONAL, first.getStatus());
            assertEquals(1, first.getRevision());
            assertEquals(0L, first.getFinalThroughMs());
            assertEquals(List.of(), h.output(), "no final segment before chunk 0 ends at 2 s");
            h.sendAll(frames.subList(25, 50));      // 1.0 s: the next window labels only the new half second
            assertEquals(List.of(new Seg("A", 500, 1000)), segs(values(h.segmentsLive.readRecordsToList())));
        }
    }

    @Test
    void theProvisionalStreamCoversTheCallOnceWithTheFinalLabels() {
        try (TopologyHarness h = harness(new FakeInference(CHUNK), LIVE)) {
            h.sendAll(TestCalls.frames("call-1", SCRIPT));
            List<TestRecord<String, SpeakerSegment>> records = h.segmentsLive.readRecordsToList();
            TestRecord<String, SpeakerSegment> end = records.get(records.size() - 1);
            assertEquals(null, end.value(), "the live topic ends the call too");
            assertEquals("END_OF_STREAM", new String(end.headers().lastHeader(DiarizationTopology.CALL_END_HEADER)
                    .value(), java.nio.charset.StandardCharsets.UTF_8));
            List<SpeakerSegment> live = values(records);
            assertEquals(TestCalls.expected(SCRIPT), merged(live), "B is B in both streams, from the prompts");
            for (int i = 1; i < live.size(); i++) {
                assertTrue(live.get(i).getRevision() >= live.get(i - 1).getRevision(), "revisions only grow");
            }
            List<SpeakerSegment> finals = values(h.output());
            assertTrue(finals.stream().allMatch(s -> s.getStatus() == SegmentStatus.FINAL && s.getRevision() == 0
                    && s.getFinalThroughMs() == null), "segments-out records are as before");
        }
    }

    @Test
    void finalSegmentsAreTheSameWithLiveLabelsOnOrOff() {
        List<TestRecord<String, SpeakerSegment>> on;
        List<TestRecord<String, SpeakerSegment>> off;
        try (TopologyHarness h = harness(new FakeInference(CHUNK), LIVE)) {
            h.sendAll(TestCalls.frames("call-1", SCRIPT));
            on = h.output();
        }
        try (TopologyHarness h = new TopologyHarness(TopologyConfig.builder().build(), null, new FakeInference(CHUNK),
                stateDir.resolve("off"), LiveConfig.OFF)) {
            h.sendAll(TestCalls.frames("call-1", SCRIPT));
            off = h.output();
            assertEquals(List.of(), h.segmentsLive.readRecordsToList());
        }
        assertEquals(off.stream().map(r -> Objects.toString(r.value()) + r.headers()).toList(),
                on.stream().map(r -> Objects.toString(r.value()) + r.headers()).toList());
    }

    @Test
    void aSlowWindowHoldsBackTheNextWhichThenCoversAllTheNewAudio() {
        Held held = new Held(new FakeInference(CHUNK));
        try (TopologyHarness h = harness(held, LIVE)) {
            List<AudioFrame> frames = TestCalls.frames("call-1", SCRIPT);
            h.sendAll(frames.subList(0, 50));       // windows due at 0.5 s and 1.0 s; the first is still running
            assertEquals(1, held.pending(), "one window in flight per call");
            assertEquals(List.of(), h.segmentsLive.readRecordsToList());
            held.release();
            h.advanceWallClock(LiveLabeler.POLL);   // the punctuator forwards it, then starts the next
            assertEquals(List.of(new Seg("A", 0, 500)), segs(values(h.segmentsLive.readRecordsToList())));
            assertEquals(1, held.pending());
            held.release();
            h.advanceWallClock(LiveLabeler.POLL);
            assertEquals(List.of(new Seg("A", 500, 1000)), segs(values(h.segmentsLive.readRecordsToList())),
                    "the second window labels everything since the first");
        }
    }

    @Test
    void aFailedWindowLosesOnlyItsProvisionalLabels() {
        ChunkInference failing = new DelegatingInference(new FakeInference(CHUNK)) {
            @Override
            public CompletableFuture<List<CallSegment>> provisional(Window w) {
                return CompletableFuture.failedFuture(new IllegalStateException("window failed"));
            }
        };
        try (TopologyHarness h = harness(failing, LIVE)) {
            h.sendAll(TestCalls.frames("call-1", SCRIPT));
            assertEquals(TestCalls.expected(SCRIPT), sortedFinal(h.output()));
            List<SpeakerSegment> live = values(h.segmentsLive.readRecordsToList());
            assertTrue(live.stream().allMatch(s -> s.getStartMs() >= 1500 || s.getEndMs() <= 2000),
                    "only the final runs' own newest audio got provisional labels");
        }
    }

    @Test
    void anEngineThatThrowsOnWindowsLeavesTheFinalSegmentsAsTheyWere() {
        ChunkInference throwing = new DelegatingInference(new FakeInference(CHUNK)) {
            @Override
            public CompletableFuture<List<CallSegment>> provisional(Window w) {
                throw new IllegalStateException("no windows today");
            }
        };
        try (TopologyHarness h = harness(throwing, LIVE)) {
            h.sendAll(TestCalls.frames("call-1", SCRIPT));
            assertEquals(TestCalls.expected(SCRIPT), sortedFinal(h.output()));
            assertEquals(List.of(), h.deadLettered());
        }
    }

    @Test
    void aWindowThatThrowsWhenThePunctuatorStartsItCostsOnlyLiveLabels() {
        Held held = new Held(new FakeInference(CHUNK)) {
            private int windows;

            @Override
            public CompletableFuture<List<CallSegment>> provisional(Window w) {
                if (++windows == 2) {
                    throw new IllegalStateException("the second window fails");
                }
                return super.provisional(w);
            }
        };
        try (TopologyHarness h = harness(held, LIVE)) {
            List<AudioFrame> frames = TestCalls.frames("call-1", SCRIPT);
            h.sendAll(frames.subList(0, 50));
            held.release();
            h.advanceWallClock(LiveLabeler.POLL);   // forwards the first window, then starts (and loses) the second
            assertEquals(List.of(new Seg("A", 0, 500)), segs(values(h.segmentsLive.readRecordsToList())));
            h.sendAll(frames.subList(50, frames.size()));
            while (held.pending() > 0) {
                held.release();
                h.advanceWallClock(LiveLabeler.POLL);
            }
            assertEquals(TestCalls.expected(SCRIPT), sortedFinal(h.output()));
        }
    }

    /** Windows wait until the test releases them, oldest first. */
    private static class Held extends DelegatingInference {
        private final List<Runnable> held = new ArrayList<>();

        Held(ChunkInference inner) {
            super(inner);
        }

        @Override
        public CompletableFuture<List<CallSegment>> provisional(Window w) {
            CompletableFuture<List<CallSegment>> labels = super.provisional(w);
            CompletableFuture<List<CallSegment>> later = new CompletableFuture<>();
            held.add(() -> later.complete(labels.join()));
            return later;
        }

        int pending() {
            return held.size();
        }

        void release() {
            held.remove(0).run();
        }
    }

    private static List<SpeakerSegment> values(List<TestRecord<String, SpeakerSegment>> records) {
        return records.stream().map(TestRecord::value).filter(Objects::nonNull).toList();
    }

    private static List<Seg> segs(List<SpeakerSegment> segments) {
        return segments.stream().map(Seg::of).toList();
    }

    private static List<Seg> sortedFinal(List<TestRecord<String, SpeakerSegment>> records) {
        return values(records).stream().map(Seg::of).sorted(Comparator.comparingLong(Seg::startMs)).toList();
    }

    /** Touching segments of one speaker joined, as the final stream's stitching joins them. */
    private static List<Seg> merged(List<SpeakerSegment> segments) {
        List<Seg> out = new ArrayList<>();
        for (Seg s : segments.stream().map(Seg::of).sorted(Comparator.comparingLong(Seg::startMs)).toList()) {
            Seg last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.speaker().equals(s.speaker()) && s.startMs() - last.endMs() <= 20) {
                out.set(out.size() - 1, new Seg(last.speaker(), last.startMs(), Math.max(last.endMs(), s.endMs())));
            } else {
                out.add(s);
            }
        }
        return out;
    }
}
