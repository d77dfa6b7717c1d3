package io.streamdrz.topology;

import io.streamdrz.schema.AudioEncoding;
import io.streamdrz.schema.AudioFrame;
import io.streamdrz.schema.SpeakerSegment;
import io.streamdrz.topology.TestCalls.Seg;
import io.streamdrz.testing.CapturedLog;

import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The audio path end to end in the TopologyTestDriver: chunks, prompts, stitching, what comes out and when. */
class DiarizationTopologyTest {

    static final String[] SCRIPT = {"5:1500", "0:300", "2:1200", "5:700", "0:400"};

    @TempDir
    Path stateDir;

    @Test
    void aCallYieldsEachSegmentOnceWithStableLabelsThenAnEndRecord() {
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            h.sendAll(TestCalls.frames("call-1", SCRIPT));

            List<TestRecord<String, SpeakerSegment>> out = h.output();
            assertEquals(TestCalls.expected(SCRIPT), sortedSegments(out));
            assertEquals(List.of("END_OF_STREAM"), ends(out));
            assertNull(out.get(out.size() - 1).value(), "the end-of-call record comes last");
            for (TestRecord<String, SpeakerSegment> r : out) {
                assertEquals("call-1", r.key());
                if (r.value() != null) {
                    assertEquals("call-1", r.value().getCallId());
                    assertEquals("fake-model", r.value().getModelId());
                    assertEquals(0.9f, r.value().getConfidence(), 1e-6);
                }
            }
            assertEquals(List.of(), h.deadLettered());
            assertEquals(5, h.inference.chunks(), "4.1 s in 1 s chunks");
            assertEquals(List.of(), h.keys(DiarizationTopology.AUDIO_BUFFER_STORE), "audio deleted");
            assertEquals(List.of(), h.keys(DiarizationTopology.SPEAKER_PROMPTS_STORE), "prompts deleted");
        }
    }

    @Test
    void aSegmentIsEmittedWhenFinalAndASegmentAcrossChunkBoundariesOnlyOnceWithItsLastChunk() {
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            List<AudioFrame> frames = TestCalls.frames("call-1", SCRIPT);
            h.sendAll(frames.subList(0, 50));          // 1.0 s: chunk 0 cut, A still talking at its end
            assertEquals(List.of(), h.output(), "A touches the end of chunk 0: it may grow");
            h.sendAll(frames.subList(50, 100));        // 2.0 s: chunk 1 cut, A ended at 1.5 s
            List<TestRecord<String, SpeakerSegment>> out = h.output();
            assertEquals(1, out.size());
            SpeakerSegment a = out.get(0).value();
            assertEquals(new Seg("A", 0, 1500), Seg.of(a));
            assertEquals(1, a.getChunkIndex(), "produced by chunk 0, last extended by chunk 1");
            h.sendAll(frames.subList(100, frames.size()));
            out = h.output();
            assertEquals(List.of(new Seg("B", 1800, 3000), new Seg("A", 3000, 3700)), sortedSegments(out));
            assertEquals(2, out.stream().filter(r -> r.value() != null && r.value().getSpeaker().equals("B"))
                    .findFirst().orElseThrow().value().getChunkIndex(), "B spans chunks 1 and 2, last extended by 2");
        }
    }

    @Test
    void segmentsCarryTheTimestampOfTheFrameThatCompletedTheirChunk() {
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            List<AudioFrame> frames = TestCalls.frames("call-1", SCRIPT);
            h.sendAll(frames.subList(0, 100));
            TestRecord<String, SpeakerSegment> a = h.output().get(0);
            // The harness stamps frame i with START + 20 * (i + 1) ms; frame 99 completed chunk 1.
            assertEquals(TopologyHarness.START.toEpochMilli() + 20 * 100, a.timestamp());
        }
    }

    @ParameterizedTest(name = "{0} at {1} Hz, {2} channel(s)")
    @CsvSource({
        "PCM_S16LE, 16000, 1", "PCM_F32LE, 16000, 2", "MULAW, 8000, 1", "ALAW, 8000, 1",
        "PCM_S16LE, 8000, 1", "PCM_F32LE, 44100, 2", "ALAW, 48000, 1"
    })
    void everyEncodingRateAndChannelCountGivesTheSameSegments(AudioEncoding encoding, int rate, int channels) {
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            h.sendAll(TestCalls.frames("call-x", TestCalls.audio(rate, SCRIPT), rate, encoding, channels, 20, 7));
            List<TestRecord<String, SpeakerSegment>> out = h.output();
            List<Seg> expected = TestCalls.expected(SCRIPT);
            List<Seg> actual = sortedSegments(out);
            assertEquals(expected.size(), actual.size(), actual.toString());
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i).speaker(), actual.get(i).speaker(), actual.toString());
                assertEquals(expected.get(i).startMs(), actual.get(i).startMs(), 20, actual.toString());
                assertEquals(expected.get(i).endMs(), actual.get(i).endMs(), 20, actual.toString());
            }
            assertEquals(List.of("END_OF_STREAM"), ends(out));
            assertEquals(List.of(), h.deadLettered());
        }
    }

    @Test
    void concurrentCallsKeepTheirOwnLabelsAndTimes() {
        String[] other = {"0:400", "8:900", "0:200", "5:1000"};
        try (TopologyHarness h = TopologyHarness.standard(stateDir)) {
            List<AudioFrame> one = TestCalls.frames("call-1", SCRIPT);
            List<AudioFrame> two = TestCalls.frames("call-2", other);
            for (int i = 0; i < Math.max(one.size(), two.size()); i++) {
                if (i < one.size()) {
                    h.send(one.get(i));
                }
                if (i < two.size()) {
                    h.send(two.get(i));
                }
            }
            List<TestRecord<String, SpeakerSegment>> out = h.output();
            assertEquals(TestCalls.expected(SCRIPT), sortedSegments(forCall(out, "call-1")));
            assertEquals(TestCalls.expected(other), sortedSegments(forCall(out, "call-2")));
            assertEquals(2, ends(out).size());
        }
    }

    @Test
    void anEngineFailureCostsOnlyItsChunkAndLaterTimesStayRight() {
        FakeInference failing = new FakeInference(16_000, chunk -> chunk == 1);
        try (CapturedLog log = CapturedLog.of(ChunkDiarizationProcessor.class);
             TopologyHarness h = new TopologyHarness(TopologyConfig.builder().build(), failing, stateDir)) {
            h.sendAll(TestCalls.frames("call-1", SCRIPT));
            List<Seg> segments = sortedSegments(h.output());
            // Chunk 0 saw A from 0 to 1 s; chunk 1 (1..2 s) failed; B's part in chunk 2 starts at 2 s.
            assertEquals(List.of(new Seg("A", 0, 1000), new Seg("B", 2000, 3000), new Seg("A", 3000, 3700)), segments);
            assertEquals(1.0, h.metric("inference-failures-total"));
            assertEquals(List.of("call call-1: inference failed on chunk 1; the chunk yields no segments"), log.errors());
        }
    }

    static List<Seg> sortedSegments(List<TestRecord<String, SpeakerSegment>> out) {
        List<Seg> segments = new ArrayList<>();
        for (TestRecord<String, SpeakerSegment> r : out) {
            if (r.value() != null) {
                segments.add(Seg.of(r.value()));
            }
        }
        segments.sort(Comparator.comparingLong(Seg::startMs).thenComparing(Seg::speaker));
        return segments;
    }

    static List<String> ends(List<TestRecord<String, SpeakerSegment>> out) {
        List<String> ends = new ArrayList<>();
        for (TestRecord<String, SpeakerSegment> r : out) {
            if (r.value() == null) {
                var header = r.headers().lastHeader(DiarizationTopology.CALL_END_HEADER);
                assertTrue(header != null, "an end-of-call record has the " + DiarizationTopology.CALL_END_HEADER + " header");
                ends.add(new String(header.value(), StandardCharsets.UTF_8));
            }
        }
        return ends;
    }

    static List<TestRecord<String, SpeakerSegment>> forCall(List<TestRecord<String, SpeakerSegment>> out, String call) {
        return out.stream().filter(r -> r.key().equals(call)).toList();
    }
}
