package io.streamdrz.topology;

import io.streamdrz.recipe.CallState;
import io.streamdrz.recipe.SpeakerPrompt;
import io.streamdrz.schema.SingleObjectCodec;
import io.streamdrz.schema.SpeakerSegment;
import io.streamdrz.state.BufferedFrame;
import io.streamdrz.state.CallAudioState;
import io.streamdrz.state.CallDiarizationState;
import io.streamdrz.state.ChunkArchive;
import io.streamdrz.topology.AdversarialFrames.Case;
import io.streamdrz.topology.AdversarialFrames.Sent;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Malformed and adversarial audio-in records ({@link AdversarialFrames}, seeded) through the
 * whole topology, the four defects of issue #22 among them by name. Kafka's default
 * processing-exception handler (log and fail) is left in place, so any exception that
 * escapes a processor fails this test. It asserts that:
 * <ul>
 *   <li>every dead letter is a record that was sent, byte for byte, with a known reason, and
 *       none is INTERNAL_ERROR (the app handled every case as documented);</li>
 *   <li>a malformed record is dead-lettered with a reason it may get;</li>
 *   <li>no value in any store exceeds {@link #STORE_VALUE_BOUND};</li>
 *   <li>every call that had a frame accepted ends with exactly one end record, after its
 *       last segment, and a call with every record dead-lettered has none.</li>
 * </ul>
 */
class FrameFuzzTest {

    static final long SEED = 22;
    static final int CASES = Integer.getInteger("streamdrz.fuzz.cases", 2_000);
    /** Below the broker's 1 MB default request limit with room for the record's own overhead. */
    static final int STORE_VALUE_BOUND = 768 * 1024;
    private static final int ADVANCE_EVERY = 250;

    private static final SingleObjectCodec<CallAudioState> CALLS = SingleObjectCodec.forReleased(CallAudioState.class);
    private static final SingleObjectCodec<CallDiarizationState> PROMPTS =
            SingleObjectCodec.forReleased(CallDiarizationState.class);
    private static final SingleObjectCodec<BufferedFrame> FRAMES = SingleObjectCodec.forReleased(BufferedFrame.class);
    private static final SingleObjectCodec<ChunkArchive> ARCHIVE = SingleObjectCodec.forReleased(ChunkArchive.class);

    @TempDir
    Path stateDir;

    private final Map<String, Set<ByteBuffer>> sent = new HashMap<>();
    private final Map<String, Integer> sentCount = new HashMap<>();
    private final Map<String, Integer> deadCount = new HashMap<>();
    private final Map<String, Set<String>> reasons = new HashMap<>();
    private final Map<String, List<TestRecord<String, SpeakerSegment>>> output = new HashMap<>();
    private int largestValue;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)      // a hang (defect 2) fails instead of stalling the build
    void adversarialFramesAreAllHandledAsDocumented() {
        List<Case> cases = new ArrayList<>(AdversarialFrames.defects());
        AdversarialFrames generator = new AdversarialFrames(SEED);
        for (int i = 0; i < CASES; i++) {
            cases.add(generator.next(i));
        }
        PaddedPrompts engine = new PaddedPrompts(new FakeInference(16_000));
        try (TopologyHarness h = new TopologyHarness(TopologyConfig.builder().build(), null, engine, stateDir,
                Stores::inMemoryKeyValueStore)) {
            for (int i = 0; i < cases.size(); i++) {
                run(h, cases.get(i));
                if (i % ADVANCE_EVERY == ADVANCE_EVERY - 1) {
                    finishEverything(h);
                }
            }
            finishEverything(h);
            assertEquals(0.0, h.metric("calls-failed-total"));
        }
        for (Case c : cases) {
            assertTrue(reasons(c.callId()).containsAll(c.mustInclude()), c.name() + ": dead-lettered as "
                    + reasons(c.callId()) + ", expected at least " + c.mustInclude());
        }
        sentCount.keySet().forEach(this::assertEndedOnce);
        assertTrue(largestValue > PromptBudget.WITH_AUDIO * 32_000 * Float.BYTES, "the many-speaker cases filled the prompt budget: " + largestValue);
    }

    private void run(TopologyHarness h, Case c) {
        for (Sent s : c.records()) {
            String key = keyOf(s.key());
            sent.computeIfAbsent(key, k -> new HashSet<>()).add(s.value() == null ? ByteBuffer.allocate(0)
                    : ByteBuffer.wrap(s.value()));
            sentCount.merge(key, 1, Integer::sum);
            try {
                h.send(s.key(), s.value(), new RecordHeaders());
            } catch (RuntimeException e) {
                throw new AssertionError(c.name() + ": an exception escaped the topology", e);
            }
            if (c.name().startsWith("defect-1")) {
                assertBounded(h, c.callId(), c.name());
            }
        }
        assertBounded(h, c.callId(), c.name());
        List<TestRecord<byte[], byte[]>> dead = collect(h);
        if (!c.oneOf().isEmpty()) {
            assertEquals(1, dead.size(), c.name() + ": one malformed record, one dead letter");
            assertTrue(c.oneOf().contains(reason(dead.get(0))), c.name() + ": " + reason(dead.get(0)));
        }
    }

    private void finishEverything(TopologyHarness h) {
        h.advanceWallClock(Duration.ofSeconds(31));       // past the idle timeout: every call is finished
        h.advanceWallClock(Duration.ofMinutes(11));       // past the closed-call retention: and forgotten
        collect(h);
        assertStoresEmpty(h);
    }

    /** Reads what the topology wrote so far and checks each dead letter; returns them. */
    private List<TestRecord<byte[], byte[]>> collect(TopologyHarness h) {
        for (TestRecord<String, SpeakerSegment> r : h.output()) {
            output.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
        }
        List<TestRecord<byte[], byte[]>> dead = h.deadLettered();
        for (TestRecord<byte[], byte[]> r : dead) {
            String key = keyOf(r.key());
            String reason = reason(r);
            DeadLetterReason.valueOf(reason);
            assertTrue(!reason.equals(DeadLetterReason.INTERNAL_ERROR.name()), "call " + key + " failed: "
                    + new String(r.headers().lastHeader(DeadLetters.MESSAGE).value(), StandardCharsets.UTF_8));
            ByteBuffer value = r.value() == null ? ByteBuffer.allocate(0) : ByteBuffer.wrap(r.value());
            assertTrue(sent.getOrDefault(key, Set.of()).contains(value), "a dead letter of " + key + " that was not sent");
            deadCount.merge(key, 1, Integer::sum);
            reasons.computeIfAbsent(key, k -> new HashSet<>()).add(reason);
        }
        return dead;
    }

    /** A call that had a frame accepted ends once, after its segments; one whose records were all refused, never. */
    private void assertEndedOnce(String key) {
        List<TestRecord<String, SpeakerSegment>> records = output.getOrDefault(key, List.of());
        boolean accepted = sentCount.get(key) > deadCount.getOrDefault(key, 0);
        long ends = records.stream().filter(r -> r.value() == null).count();
        assertEquals(accepted ? 1 : 0, ends, "end records of " + key);
        if (ends == 1) {
            assertTrue(records.get(records.size() - 1).value() == null, key + ": nothing after its end record");
        }
        for (TestRecord<String, SpeakerSegment> r : records) {
            if (r.value() != null) {
                assertTrue(0 <= r.value().getStartMs() && r.value().getStartMs() <= r.value().getEndMs(),
                        key + ": a segment from " + r.value().getStartMs() + " to " + r.value().getEndMs() + " ms");
            }
        }
    }

    private void assertBounded(TopologyHarness h, String callId, String name) {
        KeyValueStore<String, CallAudioState> calls = h.driver.getKeyValueStore(DiarizationTopology.CALL_STATE_STORE);
        KeyValueStore<String, CallDiarizationState> prompts =
                h.driver.getKeyValueStore(DiarizationTopology.SPEAKER_PROMPTS_STORE);
        KeyValueStore<Bytes, BufferedFrame> buffer = h.driver.getKeyValueStore(DiarizationTopology.AUDIO_BUFFER_STORE);
        CallAudioState call = calls.get(callId);
        CallDiarizationState speakers = prompts.get(callId);
        check(name, call == null ? 0 : CALLS.encode(call).length);
        check(name, speakers == null ? 0 : PROMPTS.encode(speakers).length);
        try (KeyValueIterator<Bytes, BufferedFrame> range = buffer.range(BufferKey.first(callId), BufferKey.last(callId))) {
            range.forEachRemaining(kv -> check(name, FRAMES.encode(kv.value).length));
        }
        KeyValueStore<Bytes, ChunkArchive> archive = h.driver.getKeyValueStore(DiarizationTopology.CALL_ARCHIVE_STORE);
        try (KeyValueIterator<Bytes, ChunkArchive> all = archive.all()) {
            all.forEachRemaining(kv -> check(name, ARCHIVE.encode(kv.value).length));
        }
    }

    private void check(String name, int bytes) {
        largestValue = Math.max(largestValue, bytes);
        if (bytes > STORE_VALUE_BOUND) {
            fail(name + ": a store value of " + bytes + " bytes");
        }
    }

    private static void assertStoresEmpty(TopologyHarness h) {
        for (String store : List.of(DiarizationTopology.AUDIO_BUFFER_STORE, DiarizationTopology.CALL_STATE_STORE,
                DiarizationTopology.SPEAKER_PROMPTS_STORE, DiarizationTopology.CALL_ARCHIVE_STORE)) {
            assertEquals(List.of(), h.keys(store), store + " after every call finished and was forgotten");
        }
    }

    private Set<String> reasons(String key) {
        return reasons.getOrDefault(key, Set.of());
    }

    private static String reason(TestRecord<byte[], byte[]> r) {
        return new String(r.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8);
    }

    private static String keyOf(byte[] key) {
        return key == null ? "<null>" : new String(key, StandardCharsets.UTF_8);
    }

    /** The fake engine with prompts as large as the real model's (2 s at 16 kHz), repeating the fake's own. */
    static final class PaddedPrompts extends DelegatingInference {
        private static final int PROMPT_SAMPLES = 32_000;

        PaddedPrompts(FakeInference fake) {
            super(fake);
        }

        @Override
        public CallState diarize(CallState state, float[] chunk) {
            CallState after = inner.diarize(state, chunk);
            List<SpeakerPrompt> prompts = new ArrayList<>();
            for (SpeakerPrompt p : after.prompts()) {
                prompts.add(p.audio().length == 0 || p.audio().length == PROMPT_SAMPLES ? p
                        : new SpeakerPrompt(p.label(), repeat(p.audio()), p.cleanSeconds(), p.lastChunk(), p.voice(),
                                p.voiceFrames()));
            }
            return new CallState(prompts, after.labelCount(), after.chunkIndex(), after.segments());
        }

        private static float[] repeat(float[] samples) {
            float[] out = new float[PROMPT_SAMPLES];
            for (int i = 0; i < out.length; i += samples.length) {
                System.arraycopy(samples, 0, out, i, Math.min(samples.length, out.length - i));
            }
            return out;
        }
    }
}
