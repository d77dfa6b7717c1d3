package io.streamdrz.topology;

import io.streamdrz.schema.AudioFrame;
import io.streamdrz.schema.SpeakerSegment;
import io.streamdrz.state.CallAudioState;
import io.streamdrz.topology.TestCalls.Seg;

import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.streamdrz.topology.DiarizationTopologyTest.ends;
import static io.streamdrz.topology.DiarizationTopologyTest.sortedSegments;
import static io.streamdrz.topology.SequenceNumberTest.reasons;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #22, "no poison state": a call whose state or records make processing fail is
 * ended with INTERNAL_ERROR, its frame dead-lettered and counted; the other calls go on,
 * and a restart does not meet the failure again.
 */
class PoisonCallTest {

    @TempDir
    Path stateDir;

    private final List<AudioFrame> good = TestCalls.frames("good", "5:1500", "0:300", "2:1200");
    private final List<AudioFrame> bad = TestCalls.frames("bad", "3:2000", "0:200", "4:1000");

    @Test
    void aCallWhoseAssemblerStateIsCorruptIsMovedAside() {
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            h.sendAll(bad.subList(0, 20));
            // State that says more audio is in order than the buffer holds (what defect 3 used to commit).
            KeyValueStore<String, CallAudioState> calls = h.driver.getKeyValueStore(DiarizationTopology.CALL_STATE_STORE);
            CallAudioState state = calls.get("bad");
            state.setBufferedSamples(15_990);           // the buffer holds 6,400; the next frame cuts a chunk
            calls.put("bad", state);
            interleave(h);
            List<TestRecord<String, SpeakerSegment>> out = h.output();
            assertEquals(List.of("END_OF_STREAM", "INTERNAL_ERROR"), endsByCall(out, "good", "bad"));
            assertEquals(TestCalls.expected("5:1500", "0:300", "2:1200"), segmentsOf(out, "good"));
            assertEquals(Map.of("INTERNAL_ERROR", 1, "CALL_CLOSED", bad.size() - 21), reasons(h.deadLettered()));
            assertEquals(1.0, h.metric("calls-failed-total"));
            assertEquals(List.of(), h.keys(DiarizationTopology.AUDIO_BUFFER_STORE));
        }
        assertARestartRuns();
    }

    @Test
    void aCallWhoseSegmentsCannotBeWrittenIsMovedAside() {
        BreakableInference engine = new BreakableInference();
        try (TopologyHarness h = new TopologyHarness(TopologyConfig.builder().build(), null, engine, stateDir)) {
            h.sendAll(good.subList(0, 60));
            engine.broken = true;
            h.sendAll(bad.subList(0, 150));             // its third chunk emits its first segment: that fails
            engine.broken = false;
            h.sendAll(bad.subList(150, bad.size()));
            h.sendAll(good.subList(60, good.size()));
            List<TestRecord<String, SpeakerSegment>> out = h.output();
            assertEquals(List.of("END_OF_STREAM", "INTERNAL_ERROR"), endsByCall(out, "good", "bad"));
            assertEquals(TestCalls.expected("5:1500", "0:300", "2:1200"), segmentsOf(out, "good"));
            assertEquals(Map.of("INTERNAL_ERROR", 1, "CALL_CLOSED", bad.size() - 150), reasons(h.deadLettered()));
            assertEquals(1.0, h.metric("calls-failed-total"));
            assertEquals(List.of(), h.keys(DiarizationTopology.SPEAKER_PROMPTS_STORE).stream()
                    .filter("bad"::equals).toList());
            List<TestRecord<String, SpeakerSegment>> revised = h.segmentsRevised.readRecordsToList();
            assertEquals(List.of("END_OF_STREAM", "INTERNAL_ERROR"), endsByCall(revised, "good", "bad"),
                    "the revised topic hears of the moved-aside call too");
            assertTrue(revised.stream().noneMatch(r -> r.key().equals("bad") && r.value() != null),
                    "and gets none of its segments");
            assertEquals(List.of(), h.keys(DiarizationTopology.CALL_ARCHIVE_STORE), "both calls' archives deleted");
        }
        assertARestartRuns();
    }

    /** Frames of both calls in turns: the bad call fails on its first frame after the corruption. */
    private void interleave(TopologyHarness h) {
        List<AudioFrame> rest = new ArrayList<>(bad.subList(20, bad.size()));
        for (int i = 0; i < good.size(); i++) {
            h.send(good.get(i));
            if (i < rest.size()) {
                h.send(rest.get(i));
            }
        }
    }

    private void assertARestartRuns() {
        SequenceNumberTest.assertARestartRuns(stateDir);
    }

    /** The end reason of each of {@code callIds}, in that order; fails if a call has none or several. */
    static List<String> endsByCall(List<TestRecord<String, SpeakerSegment>> out, String... callIds) {
        List<String> ends = new ArrayList<>();
        for (String id : callIds) {
            List<String> mine = ends(out.stream().filter(r -> r.key().equals(id)).toList());
            assertEquals(1, mine.size(), "call " + id + " ends exactly once: " + mine);
            ends.add(mine.get(0));
        }
        return ends;
    }

    private static List<Seg> segmentsOf(List<TestRecord<String, SpeakerSegment>> out, String callId) {
        return sortedSegments(out.stream().filter(r -> r.key().equals(callId)).toList());
    }

    /** The fake engine, whose segments cannot be written (no model id) while {@link #broken}. */
    private static final class BreakableInference extends DelegatingInference {
        volatile boolean broken;

        BreakableInference() {
            super(new FakeInference(16_000));
        }

        @Override
        public String modelId() {
            return broken ? null : inner.modelId();
        }
    }
}
