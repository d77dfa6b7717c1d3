package io.streamdrz.topology;

import io.streamdrz.recipe.CallSegment;
import io.streamdrz.recipe.FinalLabels;
import io.streamdrz.recipe.FinalPiece;
import io.streamdrz.schema.AudioFrame;
import io.streamdrz.schema.SegmentStatus;
import io.streamdrz.schema.SpeakerSegment;
import io.streamdrz.topology.TestCalls.Seg;

import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.streamdrz.topology.DiarizationTopologyTest.ends;
import static io.streamdrz.topology.DiarizationTopologyTest.sortedSegments;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Revised labels: each call's segments once more when it ends, labelled by the engine's final pass. */
class RevisedLabelsTest {

    private static final String[] SCRIPT = DiarizationTopologyTest.SCRIPT;

    @TempDir
    Path stateDir;

    @Test
    void whenACallEndsAllItsSegmentsComeOnceMoreRevisedThenTheEndRecord() {
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            List<AudioFrame> frames = TestCalls.frames("call-1", SCRIPT);
            h.sendAll(frames.subList(0, 150));
            assertEquals(List.of(), h.segmentsRevised.readRecordsToList(), "nothing before the call ends");
            assertFalse(h.keys(DiarizationTopology.CALL_ARCHIVE_STORE).isEmpty(), "its chunks are archived");
            h.sendAll(frames.subList(150, frames.size()));

            List<TestRecord<String, SpeakerSegment>> revised = h.segmentsRevised.readRecordsToList();
            assertEquals(sortedSegments(h.output()), sortedSegments(revised), "the fake engine has no final pass");
            assertEquals(List.of("END_OF_STREAM"), ends(revised));
            assertNull(revised.get(revised.size() - 1).value(), "the end-of-call record comes last");
            List<Long> starts = new ArrayList<>();
            for (TestRecord<String, SpeakerSegment> r : revised.subList(0, revised.size() - 1)) {
                assertEquals("call-1", r.key());
                assertEquals(SegmentStatus.REVISED, r.value().getStatus());
                starts.add(r.value().getStartMs());
            }
            assertEquals(starts.stream().sorted().toList(), starts, "in start order");
            assertEquals(List.of(), h.keys(DiarizationTopology.CALL_ARCHIVE_STORE), "archive deleted");
            assertEquals(1.0, h.metric("revised-calls-total"));
        }
    }

    @Test
    void theEnginesFinalPassDecidesTheRevisedLabelsFromEverySegmentOfTheCall() {
        List<Integer> seen = new ArrayList<>();
        ChunkInference oneSpeaker = new DelegatingInference(new FakeInference(16_000)) {
            @Override
            public FinalLabels.Relabelled finalLabels(List<CallSegment> segments, List<FinalPiece> pieces) {
                seen.add(segments.size());
                List<CallSegment> out = new ArrayList<>();
                Map<Integer, Integer> live = new HashMap<>();
                for (CallSegment s : segments) {
                    out.add(new CallSegment(s.start(), s.end(), 0, s.confidence(), s.chunkIndex()));
                    live.put(0, s.label());
                }
                return new FinalLabels.Relabelled(out, live);
            }
        };
        try (TopologyHarness h = new TopologyHarness(TopologyConfig.builder().build(), null, oneSpeaker, stateDir)) {
            h.sendAll(TestCalls.frames("call-1", SCRIPT));
            List<Seg> live = sortedSegments(h.output());
            List<Seg> revised = sortedSegments(h.segmentsRevised.readRecordsToList());
            assertEquals(List.of(live.size()), seen, "the pass saw every final segment, archived or last");
            assertEquals(live.stream().map(s -> new Seg("A", s.startMs(), s.endMs())).toList(), revised);
        }
    }

    @Test
    void aFinalPassThatFailsLeavesTheSegmentsAsTheyWere() {
        ChunkInference broken = new DelegatingInference(new FakeInference(16_000)) {
            @Override
            public FinalLabels.Relabelled finalLabels(List<CallSegment> segments, List<FinalPiece> pieces) {
                throw new IllegalStateException("a defect in the final pass");
            }
        };
        try (TopologyHarness h = new TopologyHarness(TopologyConfig.builder().build(), null, broken, stateDir)) {
            h.sendAll(TestCalls.frames("call-1", SCRIPT));
            List<TestRecord<String, SpeakerSegment>> out = h.output();
            List<TestRecord<String, SpeakerSegment>> revised = h.segmentsRevised.readRecordsToList();
            assertEquals(sortedSegments(out), sortedSegments(revised));
            assertEquals(List.of("END_OF_STREAM"), ends(out), "the call itself ends as usual");
            assertEquals(List.of("END_OF_STREAM"), ends(revised));
            assertEquals(1.0, h.metric("inference-failures-total"));
        }
    }

    @Test
    void withRevisedLabelsOffNothingIsArchivedOrWritten() {
        TopologyConfig off = TopologyConfig.builder().segmentsRevisedTopic(null).build();
        try (TopologyHarness h = new TopologyHarness(off, new FakeInference(16_000), stateDir)) {
            h.sendAll(TestCalls.frames("call-1", SCRIPT));
            assertEquals(TestCalls.expected(SCRIPT), sortedSegments(h.output()));
            assertTrue(h.segmentsRevised.isEmpty());
            assertFalse(h.driver.getAllStateStores().containsKey(DiarizationTopology.CALL_ARCHIVE_STORE));
        }
    }
}
