package io.streamdrz.topology;

import io.streamdrz.schema.AudioEncoding;
import io.streamdrz.schema.AudioFrame;
import io.streamdrz.schema.SpeakerSegment;
import io.streamdrz.topology.TestCalls.Seg;

import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static io.streamdrz.topology.DiarizationTopologyTest.SCRIPT;
import static io.streamdrz.topology.DiarizationTopologyTest.ends;
import static io.streamdrz.topology.DiarizationTopologyTest.sortedSegments;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Frames as they really arrive: reordered, duplicated, missing, late, after the end, never ending, too many. */
class FrameArrivalTest {

    @TempDir
    Path stateDir;

    private final List<AudioFrame> frames = TestCalls.frames("call-1", SCRIPT);
    private final List<Seg> expected = TestCalls.expected(SCRIPT);

    @Test
    void framesReorderedWithinTheWindowGiveTheSameSegments() {
        List<AudioFrame> shuffled = new ArrayList<>(frames.subList(0, frames.size() - 1));
        // Every block of 8 frames arrives reversed (a frame is at most 7 places early or late),
        // the very first frames included; the end-of-stream frame comes last.
        for (int i = 0; i + 8 <= shuffled.size(); i += 8) {
            Collections.reverse(shuffled.subList(i, i + 8));
        }
        shuffled.add(frames.get(frames.size() - 1));
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            h.sendAll(shuffled);
            List<TestRecord<String, SpeakerSegment>> out = h.output();
            assertEquals(expected, sortedSegments(out));
            assertEquals(List.of("END_OF_STREAM"), ends(out));
            assertEquals(List.of(), h.deadLettered());
            assertEquals(0.0, h.metric("duplicate-frames-total"));
        }
    }

    @Test
    void duplicatesAreDroppedAndCounted() {
        List<AudioFrame> withDuplicates = new ArrayList<>();
        for (int i = 0; i < frames.size() - 1; i++) {
            withDuplicates.add(frames.get(i));
            if (i % 10 == 3) {
                withDuplicates.add(frames.get(i));          // a producer retry
            }
        }
        // A duplicate of a frame that waits out of order: 101 arrives twice before 100.
        int at = withDuplicates.indexOf(frames.get(100));
        withDuplicates.remove(at);
        withDuplicates.add(at + 1, frames.get(100));
        withDuplicates.add(at + 1, frames.get(101));
        withDuplicates.add(frames.get(frames.size() - 1));
        withDuplicates.add(frames.get(frames.size() - 1)); // the end-of-stream frame twice
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            h.sendAll(withDuplicates);
            List<TestRecord<String, SpeakerSegment>> out = h.output();
            assertEquals(expected, sortedSegments(out));
            assertEquals(List.of("END_OF_STREAM"), ends(out));
            assertEquals(List.of(), h.deadLettered());
            assertEquals(withDuplicates.size() - frames.size(), (int) h.metric("duplicate-frames-total"));
        }
    }

    @Test
    void aShortGapIsFilledWithSilenceSoLaterTimesStayRight() {
        List<AudioFrame> sent = new ArrayList<>(frames);
        List<AudioFrame> lost = new ArrayList<>(sent.subList(40, 50));    // 0.8..1.0 s of A: 200 ms
        sent.removeAll(lost);
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            h.sendAll(sent);
            List<TestRecord<String, SpeakerSegment>> out = h.output();
            assertEquals(List.of(new Seg("A", 0, 800), new Seg("A", 1000, 1500), new Seg("B", 1800, 3000),
                    new Seg("A", 3000, 3700)), sortedSegments(out));
            // A lost frame that turns up after its place was filled is reported, not dropped.
            h.send(lost.get(3));
            List<TestRecord<byte[], byte[]>> dead = h.deadLettered();
            assertEquals(1, dead.size());
            assertEquals("LATE_FRAME", header(dead.get(0), DeadLetters.REASON));
            assertArrayEquals(TestCalls.bytes(lost.get(3)), dead.get(0).value());
        }
    }

    @Test
    void aFrameThatComesAfterTheWindowClosedIsLateAndTheGapIsFilled() {
        List<AudioFrame> sent = new ArrayList<>(frames.subList(0, frames.size() - 1));
        AudioFrame delayed = sent.remove(60);
        sent.add(60 + 9, delayed);           // 9 later frames arrive first: the window (8) gives up on it
        sent.add(frames.get(frames.size() - 1));
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            h.sendAll(sent);
            List<TestRecord<byte[], byte[]>> dead = h.deadLettered();
            assertEquals(1, dead.size());
            assertEquals("LATE_FRAME", header(dead.get(0), DeadLetters.REASON));
            // 20 ms of silence inside A's 1.5 s turn is shorter than the join gap: A stays one segment.
            assertEquals(expected, sortedSegments(h.output()));
        }
    }

    @Test
    void aLongGapClosesTheCallAndTheFramesAfterItAreDeadLettered() {
        List<AudioFrame> sent = new ArrayList<>(frames);
        sent.subList(20, 145).clear();                                      // 2.5 s missing, limit 2 s
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            h.sendAll(sent);
            List<TestRecord<String, SpeakerSegment>> out = h.output();
            assertEquals(List.of(new Seg("A", 0, 400)), sortedSegments(out));
            assertEquals(List.of("GAP_TOO_LARGE"), ends(out));
            List<TestRecord<byte[], byte[]>> dead = h.deadLettered();
            assertEquals(sent.size() - 20, dead.size(), "every frame after the gap is dead-lettered");
            for (int i = 0; i < dead.size(); i++) {
                // The window's 9 frames that revealed the gap, then everything after the call closed.
                assertEquals(i < 9 ? "GAP_TOO_LARGE" : "CALL_CLOSED", header(dead.get(i), DeadLetters.REASON));
                assertArrayEquals(TestCalls.bytes(sent.get(20 + i)), dead.get(i).value());
            }
            assertEquals(List.of(), h.keys(DiarizationTopology.AUDIO_BUFFER_STORE));
        }
    }

    @Test
    void theEndOfStreamFlushesAtOnceAndLaterFramesAreDeadLettered() {
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            List<AudioFrame> call = TestCalls.frames("call-1", "5:1500", "0:200", "2:300"); // 2.0 s: last chunk empty
            h.sendAll(call.subList(0, call.size() - 1));
            assertEquals(List.of(), ends(h.output()));
            h.send(call.get(call.size() - 1));
            List<TestRecord<String, SpeakerSegment>> out = h.output();
            assertEquals(List.of(new Seg("A", 0, 1500), new Seg("B", 1700, 2000)), sortedSegments(out));
            assertEquals(List.of("END_OF_STREAM"), ends(out));
            assertEquals(List.of(), h.keys(DiarizationTopology.AUDIO_BUFFER_STORE));
            assertEquals(List.of(), h.keys(DiarizationTopology.SPEAKER_PROMPTS_STORE));

            AudioFrame after = TestCalls.withSequence(call.get(5), call.size() + 3);
            h.send(after);
            h.send(call.get(10));                 // a duplicate of a frame the call already had
            List<TestRecord<byte[], byte[]>> dead = h.deadLettered();
            assertEquals(1, dead.size());
            assertEquals("AFTER_END_OF_STREAM", header(dead.get(0), DeadLetters.REASON));
            assertEquals(1.0, h.metric("duplicate-frames-total"));
            assertEquals(List.of(), h.output());
        }
    }

    @Test
    void callHintsOnAFrameAfterTheEndLeaveNothingBehind() {
        AudioFrame late = AudioFrame.newBuilder(TestCalls.withSequence(frames.get(3), frames.size() + 2))
                .setEndOfStream(false).setExpectedSpeakers(2).build();
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            h.sendAll(frames);
            assertEquals(List.of("END_OF_STREAM"), ends(h.output()));
            assertEquals(List.of(), h.keys(DiarizationTopology.CALL_SPEAKERS_STORE));
            h.send(late);
            assertEquals(List.of("AFTER_END_OF_STREAM"), h.deadLettered().stream()
                    .map(r -> header(r, DeadLetters.REASON)).toList());
            assertEquals(List.of(), h.keys(DiarizationTopology.CALL_SPEAKERS_STORE));
        }
    }

    @Test
    void anEndOfStreamThatOvertakesFramesFillsThemAndTheyComeLate() {
        List<AudioFrame> sent = new ArrayList<>(frames);
        AudioFrame overtaken = sent.remove(sent.size() - 2);
        sent.add(overtaken);
        AudioFrame afterEnd = TestCalls.withEndOfStream(TestCalls.withSequence(frames.get(3), frames.size() + 1), false);
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            h.sendAll(sent.subList(0, sent.size() - 1));
            assertEquals(List.of("END_OF_STREAM"), ends(h.output()));
            h.send(overtaken);
            h.send(afterEnd);
            List<TestRecord<byte[], byte[]>> dead = h.deadLettered();
            assertEquals(List.of("LATE_FRAME", "AFTER_END_OF_STREAM"),
                    dead.stream().map(r -> header(r, DeadLetters.REASON)).toList());
        }
    }

    @Test
    void framesBeyondTheEndOfStreamThatWaitedAreDeadLettered() {
        List<AudioFrame> call = TestCalls.frames("call-1", "5:1000");
        AudioFrame end = call.get(call.size() - 1);
        AudioFrame beyond = TestCalls.withEndOfStream(TestCalls.withSequence(call.get(2), end.getSequenceNumber() + 2), false);
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            h.sendAll(call.subList(0, call.size() - 1));
            h.send(beyond);
            h.send(end);
            assertEquals(List.of("END_OF_STREAM"), ends(h.output()));
            List<TestRecord<byte[], byte[]>> dead = h.deadLettered();
            assertEquals(1, dead.size());
            assertEquals("AFTER_END_OF_STREAM", header(dead.get(0), DeadLetters.REASON));
            assertArrayEquals(TestCalls.bytes(beyond), dead.get(0).value());
        }
    }

    @Test
    void anIdleCallIsFinishedByTheWallClockAndForgottenAfterTheRetention() {
        List<AudioFrame> call = TestCalls.frames("call-1", "5:1500", "0:300", "2:500");
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            h.sendAll(call.subList(0, call.size() - 1));
            h.advanceWallClock(Duration.ofSeconds(29));
            List<TestRecord<String, SpeakerSegment>> out = new ArrayList<>(h.output());
            assertEquals(List.of(), ends(out));
            h.advanceWallClock(Duration.ofSeconds(2));
            out.addAll(h.output());
            assertEquals(List.of(new Seg("A", 0, 1500), new Seg("B", 1800, 2280)), sortedSegments(out));
            assertEquals(List.of("IDLE_TIMEOUT"), ends(out));
            assertEquals(List.of(), h.keys(DiarizationTopology.AUDIO_BUFFER_STORE));
            assertEquals(List.of(), h.keys(DiarizationTopology.SPEAKER_PROMPTS_STORE));
            assertEquals(List.of("call-1"), h.keys(DiarizationTopology.CALL_STATE_STORE), "a closed-call marker");

            h.send(call.get(call.size() - 1));    // the lost end-of-stream frame turns up
            assertEquals("CALL_CLOSED", header(h.deadLettered().get(0), DeadLetters.REASON));

            h.advanceWallClock(Duration.ofMinutes(10));
            assertEquals(List.of(), h.keys(DiarizationTopology.CALL_STATE_STORE), "the marker is gone");
            h.sendAll(TestCalls.frames("call-1", "8:500"));             // the id may be used again
            assertEquals(List.of(new Seg("A", 0, 500)), sortedSegments(h.output()));
        }
    }

    @Test
    void anIdleCallWithMissingFramesFillsThemBeforeFinishing() {
        List<AudioFrame> sent = new ArrayList<>(frames.subList(0, 100));
        sent.remove(70);
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            h.sendAll(sent);
            h.advanceWallClock(Duration.ofSeconds(31));
            List<TestRecord<String, SpeakerSegment>> out = h.output();
            assertEquals(List.of(new Seg("A", 0, 1500), new Seg("B", 1800, 2000)), sortedSegments(out));
            assertEquals(List.of("IDLE_TIMEOUT"), ends(out));
            assertEquals(List.of(), h.deadLettered());
        }
    }

    @Test
    void aCallLongerThanTheLimitIsClosedAtTheLimit() {
        TopologyConfig config = TopologyConfig.builder().callMax(Duration.ofMillis(2000)).build();
        try (TopologyHarness h = new TopologyHarness(config, new FakeInference(16_000), stateDir)) {
            h.sendAll(frames);
            List<TestRecord<String, SpeakerSegment>> out = h.output();
            assertEquals(List.of(new Seg("A", 0, 1500), new Seg("B", 1800, 2000)), sortedSegments(out));
            assertEquals(List.of("CALL_TOO_LONG"), ends(out));
            List<TestRecord<byte[], byte[]>> dead = h.deadLettered();
            assertEquals(frames.size() - 100, dead.size());
            assertEquals("CALL_TOO_LONG", header(dead.get(0), DeadLetters.REASON));
            assertTrue(dead.subList(1, dead.size()).stream()
                    .allMatch(r -> header(r, DeadLetters.REASON).equals("CALL_CLOSED")));
        }
    }

    @Test
    void theBufferLimitShortensTheWaitForMissingFramesThenRejectsWhatCannotFit() {
        // A window far larger than the buffer: only the buffer limit makes the call give up waiting.
        TopologyConfig config = TopologyConfig.builder().reorderWindow(10_000).bufferMax(Duration.ofMillis(2000)).build();
        List<AudioFrame> sent = new ArrayList<>(frames);
        sent.remove(10);
        try (TopologyHarness h = new TopologyHarness(config, new FakeInference(16_000), stateDir)) {
            h.sendAll(sent);
            assertEquals(expected, sortedSegments(h.output()), "20 ms of silence inside a turn changes nothing");
            assertEquals(List.of(), h.deadLettered().stream().map(r -> header(r, DeadLetters.REASON)).toList());

            List<AudioFrame> big = TestCalls.frames("call-2", TestCalls.audio(16_000, "5:900", "2:1500"),
                    16_000, AudioEncoding.PCM_S16LE, 1, 900, 0);
            h.send(TestCalls.withEndOfStream(big.get(0), false));   // 0.9 s waits for its chunk
            h.send(TestCalls.withEndOfStream(big.get(1), false));   // 0.9 + 0.9 s: fits; chunk 0 cut, 0.8 s left
            AudioFrame huge = TestCalls.frames("call-2", TestCalls.audio(16_000, "2:1300"),
                    16_000, AudioEncoding.PCM_S16LE, 1, 1300, 2).get(0);
            h.send(huge);                                            // 0.8 + 1.3 s > 2 s
            List<TestRecord<byte[], byte[]>> dead = h.deadLettered();
            assertEquals(1, dead.size());
            assertEquals("BUFFER_FULL", header(dead.get(0), DeadLetters.REASON));
            assertEquals(List.of(), h.keys(DiarizationTopology.AUDIO_BUFFER_STORE).stream()
                    .filter(k -> k.contains("call-1")).toList());
        }
    }

    @Test
    void aRateChangeMidCallIsDeadLettered() {
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            h.sendAll(frames.subList(0, 10));
            AudioFrame other = TestCalls.frames("call-1", TestCalls.audio(8_000, "5:20"), 8_000,
                    AudioEncoding.PCM_S16LE, 1, 20, 10).get(0);
            h.send(TestCalls.withEndOfStream(other, false));
            assertEquals("RATE_CHANGED", header(h.deadLettered().get(0), DeadLetters.REASON));
            h.sendAll(frames.subList(10, frames.size()));
            assertEquals(expected, sortedSegments(h.output()), "the call goes on without the odd frame");
        }
    }

    static String header(TestRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
