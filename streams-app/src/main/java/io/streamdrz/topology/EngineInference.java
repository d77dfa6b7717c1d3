package io.streamdrz.topology;

import io.streamdrz.inference.CallDiarizer;
import io.streamdrz.inference.CallSegment;
import io.streamdrz.inference.CallState;
import io.streamdrz.inference.ChunkRunner;
import io.streamdrz.inference.DecodedChunk;
import io.streamdrz.inference.ModelContract;
import io.streamdrz.inference.PreparedChunk;
import io.streamdrz.inference.SpeakerPrompt;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link ChunkInference} on the real engine: the streaming recipe of
 * {@link CallDiarizer} (prompts, label mapping, stitching) around a {@link ChunkRunner}
 * (the model, or a batching layer in front of it). The topology's per-call state maps
 * one to one onto the engine's {@link CallState}; nothing is computed here.
 */
public final class EngineInference implements ChunkInference {

    private final ModelContract contract;
    private final ChunkRunner runner;
    private final CallDiarizer diarizer;

    /** @param maxSpeakers most speakers a call is given labels for, 0: no limit ({@link CallDiarizer}) */
    public EngineInference(ModelContract contract, ChunkRunner runner, int maxSpeakers) {
        this.contract = contract;
        this.runner = runner;
        this.diarizer = new CallDiarizer(contract, runner, maxSpeakers);
    }

    /** No limit on speakers a call. */
    public EngineInference(ModelContract contract, ChunkRunner runner) {
        this(contract, runner, 0);
    }

    public ModelContract contract() {
        return contract;
    }

    @Override
    public int sampleRate() {
        return contract.sampleRate;
    }

    @Override
    public int chunkSamples() {
        return contract.chunkSamples();
    }

    @Override
    public String modelId() {
        return contract.modelId;
    }

    @Override
    public double joinGapSeconds() {
        return contract.joinGapSeconds;
    }

    @Override
    public State diarize(State state, float[] chunk) {
        return diarize(state, chunk, diarizer);
    }

    /** A call with its own cap runs the same recipe with that cap (a CallDiarizer is three fields). */
    @Override
    public State diarize(State state, float[] chunk, int maxSpeakers) {
        return diarize(state, chunk, maxSpeakers > 0 ? new CallDiarizer(contract, runner, maxSpeakers) : diarizer);
    }

    private State diarize(State state, float[] chunk, CallDiarizer diarizer) {
        CallState call = toEngine(state);
        PreparedChunk prepared = diarizer.prepare(call, chunk);
        DecodedChunk decoded = runner.run(List.of(prepared.input())).get(0);
        diarizer.absorb(call, prepared, decoded);
        return fromEngine(call);
    }

    static CallState toEngine(State state) {
        List<SpeakerPrompt> prompts = new ArrayList<>(state.prompts().size());
        for (Prompt p : state.prompts()) {
            prompts.add(new SpeakerPrompt(p.label(), p.samples(), p.cleanSeconds(), p.lastChunk(), p.voice(),
                    p.voiceFrames()));
        }
        List<CallSegment> segments = new ArrayList<>(state.segments().size());
        for (Segment s : state.segments()) {
            segments.add(new CallSegment(s.start(), s.end(), s.label(), s.confidence()));
        }
        return new CallState(prompts, state.labels(), state.chunkIndex(), segments);
    }

    static State fromEngine(CallState call) {
        List<Prompt> prompts = new ArrayList<>(call.prompts().size());
        for (SpeakerPrompt p : call.prompts()) {
            prompts.add(new Prompt(p.label(), p.audio(), p.cleanSeconds(), p.lastChunk(), p.voice(), p.voiceFrames()));
        }
        List<Segment> segments = new ArrayList<>(call.segments().size());
        for (CallSegment s : call.segments()) {
            segments.add(new Segment(s.start(), s.end(), s.label(), s.confidence()));
        }
        return new State(call.chunkIndex(), call.labelCount(), prompts, segments);
    }
}
