package io.streamdrz.recipe;

import io.streamdrz.inference.ChunkRunner;
import io.streamdrz.inference.ChunkSegment;
import io.streamdrz.inference.ContractFixtures;
import io.streamdrz.inference.DecodedChunk;
import io.streamdrz.inference.ModelContract;
import io.streamdrz.inference.ModelInput;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The streaming recipe with a scripted model, so every expectation is computed by hand:
 * chunking, prompt choice and layout, label mapping, prompt refresh, stitching.
 */
class CallDiarizerTest {

    private final ModelContract c = ContractFixtures.contract();
    private static final int SR = 16000;

    /** A model that answers chunk k with the k-th script entry and records what it saw. */
    private final class ScriptedModel implements ChunkRunner {
        final List<List<ChunkSegment>> script;
        final List<ModelInput> seen = new ArrayList<>();

        ScriptedModel(List<List<ChunkSegment>> script) {
            this.script = script;
        }

        @Override
        public List<DecodedChunk> run(List<ModelInput> inputs) {
            List<DecodedChunk> out = new ArrayList<>();
            for (ModelInput in : inputs) {
                out.add(byLabel(in.nPrompted(), script.get(seen.size())));
                seen.add(in);
            }
            return out;
        }
    }

    private static ChunkSegment seg(double s, double e, int label, double conf) {
        return new ChunkSegment(s, e, label, conf);
    }

    /**
     * A chunk decoded by a model whose voices agree with its labels, as far as the chunk
     * shows: slot j sounds like voice 1 + j, chunk label i like voice 1 + i. (Whoever is in
     * slot j of one chunk must have been label j in the chunks before for the voices to
     * stay consistent across chunks; the scripts here are written so.)
     */
    private DecodedChunk byLabel(int nPrompted, List<ChunkSegment> segs) {
        int[] slotVoice = new int[nPrompted];
        for (int j = 0; j < nPrompted; j++) {
            slotVoice[j] = 1 + j;
        }
        float[] emb = VoiceEmbeddings.of(c, k -> voiceAt(segs, (k + 0.5) * c.encoderFrameSeconds, label -> 1 + label),
                slotVoice);
        return new DecodedChunk(new int[0], new double[0], nPrompted, segs, emb);
    }

    /**
     * {@code segs} of a chunk prepared for {@code state} with the voices a call would have:
     * every call speaker one voice (axis 1 + call label); chunk label i below the prompt
     * count is prompt i's speaker, a higher one the next new call label, in order of
     * appearance. So voice matching finds what the model's labels say.
     */
    private DecodedChunk voiced(CallState state, PreparedChunk p, List<ChunkSegment> segs) {
        List<SpeakerPrompt> prompts = p.prompts();
        Map<Integer, Integer> callLabel = new HashMap<>();
        int next = state.labelCount();
        for (ChunkSegment s : segs) {
            if (s.label() < prompts.size()) {
                callLabel.put(s.label(), prompts.get(s.label()).label());
            } else if (!callLabel.containsKey(s.label())) {
                callLabel.put(s.label(), next++);
            }
        }
        int[] slotVoice = prompts.stream().mapToInt(q -> 1 + q.label()).toArray();
        float[] emb = VoiceEmbeddings.of(c,
                k -> voiceAt(segs, (k + 0.5) * c.encoderFrameSeconds, label -> 1 + callLabel.get(label)), slotVoice);
        return new DecodedChunk(new int[0], new double[0], prompts.size(), segs, emb);
    }

    private static int voiceAt(List<ChunkSegment> segs, double t, java.util.function.IntUnaryOperator voiceOf) {
        for (ChunkSegment s : segs) {
            if (t >= s.start() && t < s.end()) {
                return voiceOf.applyAsInt(s.label());
            }
        }
        return -1;
    }

    /** {@link CallDiarizer#absorb} of {@code segs} as {@link #voiced} gives them. */
    private List<CallSegment> absorb(CallDiarizer diarizer, CallState state, PreparedChunk p, List<ChunkSegment> segs) {
        return diarizer.absorb(state, p, voiced(state, p, segs));
    }

    /** Sample i holds i (scaled), so any slice can be recognised. */
    private static float[] ramp(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i / (float) n;
        }
        return x;
    }

    @Test
    void aCallIsCutIntoChunksAndLabelsStayStableAcrossThem() {
        float[] call = ramp(20 * SR);
        ScriptedModel model = new ScriptedModel(List.of(
                // chunk 0 (0-8 s): A talks 0-3, B 3-8 (to the chunk's end)
                List.of(seg(0.0, 3.0, 0, 0.9), seg(3.0, 8.0, 1, 0.8)),
                // chunk 1 (8-16 s), A and B prompted: B goes on 0-2, A 2-4, a new voice 5-7
                List.of(seg(0.0, 2.0, 1, 0.6), seg(2.0, 4.0, 0, 0.7), seg(5.0, 7.0, 2, 0.5)),
                // chunk 2 (16-20 s, 4 s long): the model claims 3-6 s; only 3-4 s exists
                List.of(seg(3.0, 6.0, 2, 0.4))));
        CallDiarizer diarizer = new CallDiarizer(c, model);
        assertEquals(3, diarizer.chunkCount(call.length));
        List<CallSegment> segments = diarizer.diarize(call);

        assertEquals(3, model.seen.size());
        assertEquals(0, model.seen.get(0).nPrompted());
        assertEquals(2, model.seen.get(1).nPrompted());
        assertEquals(3, model.seen.get(2).nPrompted());

        assertEquals(List.of(
                new CallSegment(0.0, 3.0, 0, 0.9, 0),
                new CallSegment(3.0, 10.0, 1, 0.6, 1),      // chunk 0's B joined with chunk 1's B across the boundary
                new CallSegment(10.0, 12.0, 0, 0.7, 1),
                new CallSegment(13.0, 15.0, 2, 0.5, 1),
                new CallSegment(19.0, 20.0, 2, 0.4, 2)),     // clipped to the call's end
                segments);
        assertEquals(List.of("A", "B", "A", "C", "C"), segments.stream().map(CallSegment::speaker).toList());
    }

    @Test
    void promptsAreTheLongestCleanRegionShrunkAndCentreCropped() {
        float[] call = ramp(16 * SR);
        ScriptedModel model = new ScriptedModel(List.of(
                // A 0-3 s with B overlapping 2.5-3.0; B alone 3.0-3.8
                List.of(seg(0.0, 3.0, 0, 1), seg(2.5, 3.8, 1, 1)),
                List.of()));
        CallDiarizer diarizer = new CallDiarizer(c, model);
        CallState state = new CallState();
        PreparedChunk p0 = diarizer.prepare(state, diarizer.chunk(call, 0));
        diarizer.absorb(state, p0, model.run(List.of(p0.input())).get(0));

        // A: clean 0-2.5 -> 0.1-2.4 (2.3 s) -> centre crop 2 s: 0.25-2.25
        SpeakerPrompt a = state.prompts().get(0);
        assertEquals(0, a.label());
        assertEquals(2.0, a.cleanSeconds(), 1e-9);
        assertArrayEquals(Arrays.copyOfRange(call, (int) (0.25 * SR), (int) (2.25 * SR)), a.audio());
        // B: clean 3.0-3.8 -> 3.1-3.7 = 0.6 s (at least 0.5 s: kept whole)
        SpeakerPrompt b = state.prompts().get(1);
        assertEquals(0.6, b.cleanSeconds(), 1e-9);
        assertEquals(0.6 * SR, b.audio().length, 1.0);
        assertEquals(call[(int) (3.1 * SR)], b.audio()[0], 1e-4);

        // chunk 1: both prompted, in label order, each in its slot, then the chunk
        PreparedChunk p1 = diarizer.prepare(state, diarizer.chunk(call, 1));
        float[] x = p1.input().samples();
        assertEquals(c.inputSamples, x.length);
        assertEquals(2, p1.input().nPrompted());
        assertArrayEquals(a.audio(), Arrays.copyOfRange(x, 0, a.audio().length));
        assertArrayEquals(b.audio(), Arrays.copyOfRange(x, c.slotSamples(), c.slotSamples() + b.audio().length));
        for (int i = c.slotSamples() + b.audio().length; i < c.chunkOffset(); i++) {
            assertEquals(0f, x[i], "silence after the prompts");
        }
        assertArrayEquals(Arrays.copyOfRange(call, 8 * SR, 16 * SR), Arrays.copyOfRange(x, c.chunkOffset(), x.length));
    }

    @Test
    void aLongerCleanRegionReplacesAPromptAShorterOneDoesNot() {
        CallDiarizer diarizer = new CallDiarizer(c, inputs -> List.of());
        CallState state = new CallState();
        float[] chunk = ramp(8 * SR);
        absorb(diarizer, state, diarizer.prepare(state, chunk), List.of(seg(0.0, 1.0, 0, 1)));
        assertEquals(0.8, state.prompts().get(0).cleanSeconds(), 1e-9);
        assertEquals(0, state.prompts().get(0).lastChunk());
        absorb(diarizer, state, diarizer.prepare(state, chunk), List.of(seg(0.0, 0.9, 0, 1)));
        assertEquals(0.8, state.prompts().get(0).cleanSeconds(), 1e-9, "shorter: kept");
        assertEquals(1, state.prompts().get(0).lastChunk(), "but heard again");
        absorb(diarizer, state, diarizer.prepare(state, chunk), List.of(seg(2.0, 3.5, 0, 1)));
        assertEquals(1.3, state.prompts().get(0).cleanSeconds(), 1e-9, "longer: replaced");
        // too short to prompt with: no prompt at all for a new speaker
        absorb(diarizer, state, diarizer.prepare(state, chunk), List.of(seg(4.0, 4.6, 1, 1)));
        assertEquals(1, state.prompts().size());
        assertEquals(2, state.labelCount());
    }

    @Test
    void aNewVoiceTakesTheLabelOfASpeakerWithoutPromptFirst() {
        CallDiarizer diarizer = new CallDiarizer(c, inputs -> List.of());
        CallState state = new CallState();
        float[] chunk = ramp(8 * SR);
        absorb(diarizer, state, diarizer.prepare(state, chunk), List.of(seg(0.0, 3.0, 0, 1), seg(3.0, 3.4, 1, 1)));
        assertEquals(2, state.labelCount());
        assertEquals(List.of(0), state.prompts().stream().map(SpeakerPrompt::label).toList(),
                "B spoke too briefly for a prompt");
        List<CallSegment> out = absorb(diarizer, state, diarizer.prepare(state, chunk),
                List.of(seg(0.0, 3.0, 0, 1), seg(3.0, 5.0, 1, 1)));
        assertEquals(2, state.labelCount(), "the new voice is B, not a third speaker");
        assertEquals(List.of(0, 1), out.stream().map(CallSegment::label).toList());
        assertEquals(List.of(0, 1), state.prompts().stream().map(SpeakerPrompt::label).toList());
    }

    @Test
    void aFullCallGivesAWouldBeNewSpeakerToTheKnownVoiceItSoundsLike() {
        float[] chunk = ramp(8 * SR);
        // speakers 0 and 1 have profiles of voice 1 and of mostly voice 3 (a little of voice 2:
        // cosine 0.24, under the match and merge thresholds); slots hold voices 1 and 5. The
        // chunk has voice 1 (label 0), then voice 2 under two made-up labels (1, 2).
        float[] emb = VoiceEmbeddings.of(c, k -> (k + 0.5) * c.encoderFrameSeconds < 2.0 ? 1
                : (k + 0.5) * c.encoderFrameSeconds < 6.0 ? 2 : -1, 1, 5);
        List<ChunkSegment> segs = List.of(seg(0.0, 2.0, 0, 0.9), seg(2.0, 4.0, 1, 0.9), seg(4.0, 6.0, 2, 0.9));
        for (int cap : new int[]{0, 2}) {
            double[] voice0 = new double[c.speakerDim];
            double[] voice1 = new double[c.speakerDim];
            voice0[1] = 40;
            voice1[3] = 40;
            voice1[2] = 10;
            CallState state = new CallState(List.of(
                    new SpeakerPrompt(0, new float[c.promptSamples()], 2.0, 0, voice0, 40),
                    new SpeakerPrompt(1, new float[c.promptSamples()], 2.0, 0, voice1, 40)), 2, 1, List.of());
            CallDiarizer diarizer = new CallDiarizer(c, inputs -> List.of(), cap);
            PreparedChunk prepared = diarizer.prepare(state, chunk);
            List<CallSegment> out = diarizer.absorb(state, prepared, new DecodedChunk(new int[0], new double[0], 2, segs, emb));
            // without a cap the unmatched voice (labels 1 and 2 sound alike: one speaker) is a
            // third speaker; with a cap of two it is the known speaker it sounds most like
            List<Integer> expect = cap == 0 ? List.of(0, 2) : List.of(0, 1);
            assertEquals(expect, out.stream().map(CallSegment::label).distinct().toList(), "cap " + cap);
            assertEquals(cap == 0 ? 3 : 2, state.labelCount(), "cap " + cap);
        }
    }

    @Test
    void aFullCallWithTooLittleOfANewVoiceGivesItToAKnownSpeakerNotSpeaking() {
        float[] chunk = ramp(8 * SR);
        CallState state = new CallState(List.of(
                new SpeakerPrompt(0, new float[c.promptSamples()], 2.0, 0),
                new SpeakerPrompt(1, new float[c.promptSamples()], 2.0, 0)), 2, 1, List.of());
        CallDiarizer diarizer = new CallDiarizer(c, inputs -> List.of(), 2);
        // only speaker 0 prompted: label 0 is their slot and label 2 is new, but it speaks for
        // two frames (0.16 s), fewer than match.min_frames: no voice to compare
        PreparedChunk prepared = new PreparedChunk(chunk, List.of(state.prompts().get(0)),
                ModelInput.build(c, chunk, List.of(state.prompts().get(0).audio())));
        List<CallSegment> out = absorb(diarizer, state, prepared, List.of(seg(0.0, 2.0, 0, 0.9), seg(3.0, 3.15, 2, 0.9)));
        assertEquals(List.of(0, 1), out.stream().map(CallSegment::label).toList());
        assertEquals(2, state.labelCount());
    }

    @Test
    void aNegativeSpeakerCapIsRefused() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new CallDiarizer(c, inputs -> List.of(), -1));
        assertEquals("max speakers must be >= 0 (0: no limit), not -1", e.getMessage());
    }

    @Test
    void theMostRecentlyHeardSpeakersGetTheSlots() {
        CallDiarizer diarizer = new CallDiarizer(c, inputs -> List.of());
        CallState state = new CallState();
        float[] chunk = ramp(8 * SR);
        // chunk 0: four speakers, each with a clean second
        absorb(diarizer, state, diarizer.prepare(state, chunk), List.of(
                seg(0.0, 1.0, 0, 1), seg(2.0, 3.0, 1, 1), seg(4.0, 5.0, 2, 1), seg(6.0, 7.0, 3, 1)));
        assertEquals(4, state.prompts().size());
        // all heard in chunk 0: ties go to the lower labels
        PreparedChunk p = diarizer.prepare(state, chunk);
        assertEquals(List.of(0, 1, 2), p.prompts().stream().map(SpeakerPrompt::label).toList());
        // chunk 1: D (call label 3) was not prompted, so the model can only call it by a
        // new local label (3), which becomes a new call label, E (4): the recipe's known
        // cost of having more speakers than slots.
        absorb(diarizer, state, p, List.of(seg(0.0, 1.0, 3, 1)));
        assertEquals(5, state.labelCount());
        // chunk 2: E was heard last, then A, B (tie on chunk 0, lower labels first)
        PreparedChunk p2 = diarizer.prepare(state, chunk);
        assertEquals(List.of(0, 1, 4), p2.prompts().stream().map(SpeakerPrompt::label).toList());
        // local label 2 is now E (slot order = label order), local 1 is B
        List<CallSegment> out = absorb(diarizer, state, p2, List.of(seg(0.0, 1.0, 2, 1), seg(1.0, 2.0, 1, 1)));
        assertEquals(List.of(4, 1), out.stream().map(CallSegment::label).toList());
        assertEquals(16.0, out.get(0).start(), 1e-9);
    }

    @Test
    void batchingSeveralCallsGivesTheSameResultAsOneByOne() {
        List<float[]> calls = List.of(ramp(20 * SR), ramp(5 * SR), ramp(0), ramp(9 * SR));
        // a deterministic fake model whose answer depends on the input's content and prompt count
        ChunkRunner fake = inputs -> {
            List<DecodedChunk> out = new ArrayList<>();
            for (ModelInput in : inputs) {
                float[] x = in.samples();
                double level = x[c.chunkOffset() + 100];
                double start = Math.floor(level * 40) / 10;
                out.add(byLabel(in.nPrompted(),
                        List.of(seg(start, start + 1.5, 0, 0.5), seg(start + 2, start + 3, in.nPrompted(), 0.5))));
            }
            return out;
        };
        CallDiarizer diarizer = new CallDiarizer(c, fake);
        List<List<CallSegment>> alone = new ArrayList<>();
        for (float[] call : calls) {
            alone.add(diarizer.diarize(call));
        }
        for (int batch : new int[]{1, 2, 3, 8}) {
            List<List<CallSegment>> together = new ArrayList<>();
            for (int i = 0; i < calls.size(); i++) {
                together.add(null);
            }
            List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3));
            diarizer.diarizeAll(order.iterator(), calls::get, batch, new CallDiarizer.Listener<>() {
                @Override
                public void callDone(Integer call, List<CallSegment> segments) {
                    together.set(call, segments);
                }
            });
            assertEquals(alone, together, "batch " + batch);
        }
        assertEquals(List.of(), alone.get(2), "an empty call is one empty chunk: nothing to clip into");
    }

    @Test
    void speakerNames() {
        assertEquals("A", CallSegment.speakerName(0));
        assertEquals("Z", CallSegment.speakerName(25));
        assertEquals("AA", CallSegment.speakerName(26));
        assertEquals("AB", CallSegment.speakerName(27));
    }

    @Test
    void stitchingJoinsOnlyTheSameSpeakersLatestTurnAcrossSmallGaps() {
        List<CallSegment> s = new ArrayList<>();
        SegmentStitcher.append(s, new CallSegment(0, 7.95, 0, 0.9, 0), 0.15);
        SegmentStitcher.append(s, new CallSegment(8.0, 9.0, 0, 0.5, 1), 0.15);    // gap 0.05: joined
        SegmentStitcher.append(s, new CallSegment(9.5, 10.0, 0, 0.5, 1), 0.15);   // gap 0.5: new turn
        SegmentStitcher.append(s, new CallSegment(9.6, 11.0, 1, 0.5, 1), 0.15);
        SegmentStitcher.append(s, new CallSegment(10.1, 12.0, 0, 0.4, 2), 0.15);  // A's latest ends 10.0: joined
        assertEquals(List.of(new CallSegment(0, 9.0, 0, 0.5, 1), new CallSegment(9.5, 12.0, 0, 0.4, 2),
                new CallSegment(9.6, 11.0, 1, 0.5, 1)), s);
        // final once it ends more than the join gap before the audio diarized so far (8 s chunks)
        assertEquals(true, SegmentStitcher.isFinal(15.84, 2, 8 * 16000, 16000, 0.15));
        assertEquals(false, SegmentStitcher.isFinal(15.86, 2, 8 * 16000, 16000, 0.15));
    }
}
