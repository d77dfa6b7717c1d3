package io.streamdrz.topology;

import io.streamdrz.inference.IdentifySpec;
import io.streamdrz.recipe.CallSegment;
import io.streamdrz.recipe.CallState;
import io.streamdrz.recipe.SpeakerPrompt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * A stand-in engine for topology tests that behaves like the real one where the
 * topology can tell: it keeps prompts per speaker and recognises speakers by them (so a
 * lost state would relabel speakers), hands out labels in order of first appearance,
 * works in call time from the chunk index, and merges a segment into the same speaker's
 * latest one across a gap of at most {@link #JOIN_GAP} (the engine's stitching rule).
 *
 * <p>Its "voices" are loudness levels: every 10 ms window whose mean absolute value is
 * about {@code v / 10} belongs to voice {@code v} (1..9); about 0 is silence. So a test
 * script like {@code "5:1500", "0:300", "2:1200"} means: voice 5 for 1.5 s, silence,
 * voice 2 for 1.2 s, and its segments are exactly those runs.
 */
final class FakeInference implements ChunkInference {

    static final int RATE = 16_000;
    static final int WINDOW = RATE / 100;
    static final double JOIN_GAP = 0.15;

    private final int chunkSamples;
    private final AtomicInteger chunks = new AtomicInteger();
    private final IntPredicate failOnChunk;

    FakeInference(int chunkSamples) {
        this(chunkSamples, chunk -> false);
    }

    /** An engine that throws on the calls' chunks for which {@code failOnChunk} holds. */
    FakeInference(int chunkSamples, IntPredicate failOnChunk) {
        this.chunkSamples = chunkSamples;
        this.failOnChunk = failOnChunk;
    }

    /** Chunks diarized so far, over all calls. */
    int chunks() {
        return chunks.get();
    }

    @Override
    public int sampleRate() {
        return RATE;
    }

    @Override
    public int chunkSamples() {
        return chunkSamples;
    }

    @Override
    public String modelId() {
        return "fake-model";
    }

    @Override
    public double joinGapSeconds() {
        return JOIN_GAP;
    }

    @Override
    public IdentifySpec identifySpec() {
        return new IdentifySpec(0.6, 0.1, 10);
    }

    @Override
    public CallState diarize(CallState state, float[] chunk) {
        chunks.incrementAndGet();
        if (failOnChunk.test(state.chunkIndex())) {
            throw new IllegalStateException("fake engine failure on chunk " + state.chunkIndex());
        }
        double t0 = state.chunkIndex() * (chunkSamples / (double) RATE);
        List<SpeakerPrompt> prompts = new ArrayList<>(state.prompts());
        Map<Integer, Integer> labelOfVoice = new HashMap<>();
        for (SpeakerPrompt p : prompts) {
            labelOfVoice.put(voice(p.audio(), 0, p.audio().length), p.label());
        }
        int labels = state.labelCount();
        List<CallSegment> segments = new ArrayList<>(state.segments());
        int windows = (chunk.length + WINDOW - 1) / WINDOW;
        int runStart = 0;
        int runVoice = windows == 0 ? 0 : voice(chunk, 0, Math.min(WINDOW, chunk.length));
        for (int w = 1; w <= windows; w++) {
            int v = w == windows ? -1 : voice(chunk, w * WINDOW, Math.min(WINDOW, chunk.length - w * WINDOW));
            if (v == runVoice) {
                continue;
            }
            if (runVoice > 0) {
                Integer label = labelOfVoice.get(runVoice);
                if (label == null) {
                    label = labels++;
                    labelOfVoice.put(runVoice, label);
                    int from = runStart * WINDOW;
                    int to = Math.min(chunk.length, w * WINDOW);
                    prompts.add(new SpeakerPrompt(label, Arrays.copyOfRange(chunk, from, Math.min(to, from + 4 * WINDOW)),
                            (to - from) / (double) RATE, state.chunkIndex()));
                }
                double start = t0 + runStart * WINDOW / (double) RATE;
                double end = t0 + Math.min(chunk.length, w * WINDOW) / (double) RATE;
                append(segments, new CallSegment(start, end, label, 0.9, state.chunkIndex()));
            }
            runStart = w;
            runVoice = v;
        }
        return new CallState(prompts, labels, state.chunkIndex() + 1, segments);
    }

    /** The engine's stitching: merge with the same speaker's latest segment when they (nearly) touch. */
    private static void append(List<CallSegment> segments, CallSegment s) {
        for (int i = segments.size() - 1; i >= 0; i--) {
            CallSegment last = segments.get(i);
            if (last.label() == s.label()) {
                if (s.start() - last.end() <= JOIN_GAP && s.start() >= last.start()) {
                    segments.set(i, new CallSegment(last.start(), Math.max(last.end(), s.end()), s.label(),
                            Math.min(last.confidence(), s.confidence()), s.chunkIndex()));
                    return;
                }
                break;
            }
        }
        segments.add(s);
    }

    static int voice(float[] samples, int from, int length) {
        if (length <= 0) {
            return 0;
        }
        double sum = 0;
        for (int i = from; i < from + length; i++) {
            sum += Math.abs(samples[i]);
        }
        return (int) Math.round(sum / length * 10);
    }
}
