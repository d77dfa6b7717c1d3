package io.streamdrz.topology;

import io.streamdrz.schema.AudioFrame;
import io.streamdrz.schema.SpeakerSegment;
import io.streamdrz.topology.TestCalls.Seg;

import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.streamdrz.topology.DiarizationTopologyTest.ends;
import static io.streamdrz.topology.DiarizationTopologyTest.sortedSegments;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Sequence numbers at the edges of a long (issue #22, defects 2 to 4): no arithmetic on
 * them may overflow, no loop may run as long as their difference, and every such call
 * ends once and leaves state that a restarted instance handles.
 */
class SequenceNumberTest {

    /** Extreme sequence numbers used to hang the stream thread: the test fails by timing out. */
    private static final int HANG_SECONDS = 20;

    @TempDir
    Path stateDir;

    private final List<AudioFrame> frames = TestCalls.frames("call-1", "5:1500", "0:300", "2:1200");

    @Test
    @Timeout(HANG_SECONDS)
    void extremeSequenceNumbersCloseTheCallAtTheGap() {
        List<AudioFrame> sent = numbered(0, 9, Long.MIN_VALUE);
        sent.addAll(numbered(9, 9, Long.MAX_VALUE - 8));          // MAX-8 .. MAX, strictly increasing
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            h.sendAll(sent);
            h.advanceWallClock(Duration.ofSeconds(31));
            assertEquals(List.of("GAP_TOO_LARGE"), ends(h.output()));
            assertEquals(Map.of("GAP_TOO_LARGE", 8, "SEQUENCE_OVERFLOW", 1), reasons(h.deadLettered()));
        }
        assertARestartRuns();
    }

    @Test
    @Timeout(HANG_SECONDS)
    void aJumpThatOverflowsAsSilenceClosesTheCall() {
        List<AudioFrame> sent = numbered(0, 9, 0);
        sent.addAll(numbered(9, 9, 9 + Long.MAX_VALUE / 320 + 1));  // 320 samples a frame: the gap overflowed
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            h.sendAll(sent);
            List<TestRecord<String, SpeakerSegment>> out = new ArrayList<>(h.output());
            assertEquals(List.of("GAP_TOO_LARGE"), ends(out), "closed at once, not at the idle timeout");
            h.advanceWallClock(Duration.ofSeconds(31));
            out.addAll(h.output());
            assertEquals(List.of("GAP_TOO_LARGE"), ends(out));
            assertEquals(List.of(new Seg("A", 0, 180)), sortedSegments(out));
            assertEquals(Map.of("GAP_TOO_LARGE", 9), reasons(h.deadLettered()));
            assertEquals(List.of(), h.keys(DiarizationTopology.AUDIO_BUFFER_STORE));
        }
        assertARestartRuns();
    }

    @Test
    @Timeout(HANG_SECONDS)
    void sequenceNumbersThatWrapAroundAreRejected() {
        List<AudioFrame> sent = numbered(0, 40, Long.MAX_VALUE - 39);     // MAX-39 .. MAX
        sent.addAll(numbered(40, 10, Long.MIN_VALUE));                    // wrapped: MIN .. MIN+9
        sent.set(sent.size() - 1, TestCalls.withEndOfStream(sent.get(sent.size() - 1), true));
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            h.sendAll(sent);
            h.advanceWallClock(Duration.ofSeconds(31));
            List<TestRecord<String, SpeakerSegment>> out = h.output();
            assertEquals(List.of("IDLE_TIMEOUT"), ends(out), "the end-of-stream frame wrapped and was rejected");
            assertEquals(List.of(new Seg("A", 0, 780)), sortedSegments(out));
            assertEquals(Map.of("SEQUENCE_OVERFLOW", 1, "LATE_FRAME", 10), reasons(h.deadLettered()));
        }
        assertARestartRuns();
    }

    @Test
    void theLargestSequenceNumberIsDeadLetteredEvenAsTheFirstFrame() {
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            h.send(TestCalls.withSequence(frames.get(0), Long.MAX_VALUE));
            assertEquals(Map.of("SEQUENCE_OVERFLOW", 1), reasons(h.deadLettered()));
            assertEquals(List.of(), h.keys(DiarizationTopology.CALL_STATE_STORE), "no call was started");
        }
    }

    private void assertARestartRuns() {
        assertARestartRuns(stateDir);
    }

    /**
     * An instance restarted on {@code stateDir} goes on: whatever the calls before left in
     * its state, a new call runs to its end with its segment.
     */
    static void assertARestartRuns(Path stateDir) {
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            h.advanceWallClock(Duration.ofMinutes(11));
            h.sendAll(TestCalls.frames("after-restart", "3:600", "0:200"));
            List<TestRecord<String, SpeakerSegment>> out = h.output();
            assertEquals(List.of(new Seg("A", 0, 600)), sortedSegments(out));
            assertEquals(List.of("END_OF_STREAM"), ends(out));
        }
    }

    /** {@code count} frames of the test call from {@code from}, renumbered from {@code firstSequence}. */
    private List<AudioFrame> numbered(int from, int count, long firstSequence) {
        List<AudioFrame> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            AudioFrame frame = TestCalls.withEndOfStream(frames.get(from + i), false);
            out.add(TestCalls.withSequence(frame, firstSequence + i));
        }
        return out;
    }

    static Map<String, Integer> reasons(List<TestRecord<byte[], byte[]>> deadLetters) {
        Map<String, Integer> count = new TreeMap<>();
        for (TestRecord<byte[], byte[]> r : deadLetters) {
            String reason = new String(r.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8);
            count.merge(reason, 1, Integer::sum);
        }
        return count;
    }
}
