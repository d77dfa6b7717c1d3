package io.streamdrz.topology;

import io.streamdrz.inference.ChunkRunner;
import io.streamdrz.inference.ChunkSubmitter;
import io.streamdrz.inference.DecodedChunk;
import io.streamdrz.inference.IdentifySpec;
import io.streamdrz.inference.LiveSpeech;
import io.streamdrz.inference.ModelContract;
import io.streamdrz.inference.SileroVad;
import io.streamdrz.inference.SpeechRegion;
import io.streamdrz.recipe.CallDiarizer;
import io.streamdrz.recipe.CallSegment;
import io.streamdrz.recipe.CallState;
import io.streamdrz.recipe.FinalLabels;
import io.streamdrz.recipe.FinalPiece;
import io.streamdrz.recipe.LiveWindow;
import io.streamdrz.recipe.PreparedChunk;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@link ChunkInference} on the real engine: the streaming recipe of
 * {@link CallDiarizer} (prompts, label mapping, stitching) around a {@link ChunkRunner}
 * (the model, or a batching layer in front of it). The topology's per-call state is
 * the engine's {@link CallState}; nothing is computed here.
 */
public final class EngineInference implements ChunkInference {

    private final ModelContract contract;
    private final ChunkRunner runner;
    private final CallDiarizer diarizer;
    private final ChunkSubmitter live;
    private final SileroVad vad;
    /** Whether each chunk's pieces for the final pass are kept in the state it returns. */
    private final boolean finalPieces;

    /** @param speakerCap most speakers a call is given labels for, 0: no limit ({@link CallDiarizer}) */
    public EngineInference(ModelContract contract, ChunkRunner runner, int speakerCap) {
        this(contract, runner, speakerCap, ChunkSubmitter.direct(runner), null);
    }

    /**
     * @param live runs the live windows (a batcher of their own, so that windows never queue
     *             in front of final chunks)
     * @param vad  the model's VAD, whose streams hear each call's live audio once; null: none
     */
    public EngineInference(ModelContract contract, ChunkRunner runner, int speakerCap, ChunkSubmitter live,
                           SileroVad vad) {
        this.contract = contract;
        this.runner = runner;
        this.diarizer = new CallDiarizer(contract, runner, speakerCap);
        this.live = live;
        this.vad = vad;
        this.finalPieces = false;
    }

    private EngineInference(EngineInference engine, boolean finalPieces) {
        this.contract = engine.contract;
        this.runner = engine.runner;
        this.diarizer = engine.diarizer;
        this.live = engine.live;
        this.vad = engine.vad;
        this.finalPieces = finalPieces;
    }

    /** The same engine, keeping each chunk's pieces for the final pass (about 3 ms a chunk, BENCHMARKS.md). */
    @Override
    public ChunkInference keepingFinalPieces() {
        return new EngineInference(this, true);
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

    /** A live window: the window graph's length, or a whole chunk for a model without one. */
    @Override
    public int windowSamples() {
        return contract.live.enabled() ? contract.windowSamples() : contract.chunkSamples();
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
    public IdentifySpec identifySpec() {
        return contract.identify;
    }

    @Override
    public CallState diarize(CallState state, float[] chunk) {
        return diarize(state, chunk, diarizer, null);
    }

    /** A call with its own cap runs the same recipe with that cap (a CallDiarizer is three fields). */
    @Override
    public CallState diarize(CallState state, float[] chunk, int speakerCap) {
        return diarize(state, chunk, speakerCap, null);
    }

    @Override
    public CallState diarize(CallState state, float[] chunk, int speakerCap, List<SpeechRegion> speech) {
        return diarize(state, chunk, speakerCap > 0 ? new CallDiarizer(contract, runner, speakerCap) : diarizer, speech);
    }

    @Override
    public CompletableFuture<List<CallSegment>> provisional(Window w) {
        CallDiarizer recipe = w.speakerCap() > 0 ? new CallDiarizer(contract, runner, w.speakerCap()) : diarizer;
        PreparedChunk prepared = prepareWindow(recipe, w);
        double seconds = w.audio().length / (double) contract.sampleRate;
        return live.submit(prepared.input()).thenApply(decoded -> {
            CallState scratch = w.state().copy();
            recipe.absorb(scratch, prepared, decoded);
            return LiveWindow.newest(w.state(), scratch, w.start(), seconds, w.newest(), contract.chunkSeconds);
        });
    }

    /** The window graph's input; for a model without one, the whole chunk's for encoder and decoder. */
    private PreparedChunk prepareWindow(CallDiarizer recipe, Window w) {
        if (contract.live.enabled()) {
            return recipe.prepareWindow(w.state(), w.audio(), w.speech());
        }
        PreparedChunk chunk = recipe.prepare(w.state(), w.audio());
        return w.speech() == null ? chunk
                : new PreparedChunk(chunk.chunk(), chunk.prompts(), chunk.input().withSpeech(w.speech()));
    }

    @Override
    public FinalLabels.Relabelled finalLabels(List<CallSegment> segments, List<FinalPiece> pieces) {
        return contract.finalRelabel ? FinalLabels.relabel(contract, segments, pieces) : FinalLabels.unchanged(segments);
    }

    @Override
    public LiveSpeech liveSpeech() {
        return vad == null ? null : vad.live(contract.vad, contract.sampleRate, contract.chunkSamples());
    }

    private CallState diarize(CallState state, float[] chunk, CallDiarizer diarizer, List<SpeechRegion> speech) {
        CallState call = state.copy();
        PreparedChunk prepared = diarizer.prepare(call, chunk);
        if (speech != null && vad != null) {
            prepared = new PreparedChunk(prepared.chunk(), prepared.prompts(), prepared.input().withSpeech(speech));
        }
        DecodedChunk decoded = runner.run(List.of(prepared.input())).get(0);
        if (finalPieces) {
            diarizer.absorbForFinal(call, prepared, decoded);
        } else {
            diarizer.absorb(call, prepared, decoded);
        }
        return call;
    }
}
