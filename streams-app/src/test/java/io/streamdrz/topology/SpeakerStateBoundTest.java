package io.streamdrz.topology;

import io.streamdrz.inference.ModelContract;
import io.streamdrz.recipe.SpeakerPrompt;
import io.streamdrz.schema.AudioFrame;
import io.streamdrz.schema.SingleObjectCodec;
import io.streamdrz.schema.SpeakerSegment;
import io.streamdrz.state.CallDiarizationState;


import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.streamdrz.topology.DiarizationTopologyTest.ends;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue #22, defect 1: a call with many speakers keeps its stored state far below the broker's 1 MB limit. */
class SpeakerStateBoundTest {

    /** Half the broker's default request limit: "well below" it, with room for record overhead. */
    static final int STATE_BYTES_BOUND = 700 * 1024;

    private static final SingleObjectCodec<CallDiarizationState> CODEC =
            SingleObjectCodec.forReleased(CallDiarizationState.class);

    @TempDir
    Path stateDir;

    @Test
    void aCallWithTwelveSpeakersStaysBelowTheBoundAndKeepsAllItsSegments() {
        assertBoundedWith(12, 120);
    }

    @Test
    void aCallWithMoreSpeakersThanAreRememberedStillEndsWithEverySegment() {
        assertBoundedWith(PromptBudget.KEPT + 20, 2 * (PromptBudget.KEPT + 20));
    }

    private void assertBoundedWith(int voices, int chunks) {
        ManySpeakersInference engine = new ManySpeakersInference(16_000, voices);
        TopologyConfig config = TopologyConfig.builder().build();
        List<AudioFrame> frames = TestCalls.frames("conference", "3:" + chunks * 1000);
        int largest = 0;
        int lastBank = 0;
        Set<String> speakers = new HashSet<>();
        int segments = 0;
        try (TopologyHarness h = new TopologyHarness(config, null, engine, stateDir)) {
            KeyValueStore<String, CallDiarizationState> store =
                    h.driver.getKeyValueStore(DiarizationTopology.SPEAKER_PROMPTS_STORE);
            for (AudioFrame frame : frames) {
                h.send(frame);
                CallDiarizationState state = store.get("conference");
                if (state != null) {
                    largest = Math.max(largest, CODEC.encode(state).length);
                    lastBank = state.getBank().size();
                }
            }
            List<TestRecord<String, SpeakerSegment>> out = h.output();
            for (TestRecord<String, SpeakerSegment> r : out) {
                if (r.value() != null) {
                    speakers.add(r.value().getSpeaker());
                    segments++;
                }
            }
            assertEquals(List.of("END_OF_STREAM"), ends(out));
        }
        assertTrue(largest > 4 * 128 * 1024, "the state held " + PromptBudget.WITH_AUDIO + " prompts: " + largest);
        assertTrue(largest < STATE_BYTES_BOUND, "largest speaker-prompts record: " + largest + " bytes");
        assertEquals(PromptBudget.WITH_AUDIO, engine.promptsWithAudioSeen());
        assertEquals(ModelContract.MAX_RECLUSTER_PIECES, lastBank, "the voice bank was full");
        assertEquals(chunks, segments, "one segment a chunk");
        assertEquals(voices, speakers.size());
    }

    @Test
    void fewSpeakersAreStoredUnchanged() {
        List<SpeakerPrompt> prompts = List.of(prompt(0, 5), prompt(1, 2), prompt(2, 9), prompt(3, 1));
        assertSame(prompts, PromptBudget.bound(prompts));
    }

    @Test
    void theMostRecentlyHeardKeepTheirAudioTheOthersTheirVoice() {
        List<SpeakerPrompt> prompts = List.of(prompt(0, 5), prompt(1, 2), prompt(2, 9), prompt(3, 1),
                prompt(4, 7), prompt(5, 7));
        List<SpeakerPrompt> bounded = PromptBudget.bound(prompts);
        assertEquals(List.of(0, 1, 2, 3, 4, 5), bounded.stream().map(SpeakerPrompt::label).toList());
        // Ranked 2 (chunk 9), 4, 5 (chunk 7, by label), 0 (chunk 5); then 1 and 3 lose their audio.
        assertEquals(List.of(32_000, 0, 32_000, 0, 32_000, 32_000),
                bounded.stream().map(p -> p.audio().length).toList());
        assertEquals(0.0, bounded.get(1).cleanSeconds(), "a clean region will replace it");
        assertSame(prompts.get(1).voice(), bounded.get(1).voice(), "the voice profile stays");
        assertEquals(2, bounded.get(1).lastChunk());
    }

    private static SpeakerPrompt prompt(int label, int lastChunk) {
        return new SpeakerPrompt(label, new float[32_000], 2.0, lastChunk, new double[]{label}, 10);
    }
}
