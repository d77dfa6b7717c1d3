package io.streamdrz.topology;

import io.streamdrz.inference.IdentifySpec;
import io.streamdrz.inference.LiveSpeech;
import io.streamdrz.recipe.CallSegment;
import io.streamdrz.recipe.CallState;
import io.streamdrz.recipe.FinalLabels;
import io.streamdrz.recipe.FinalPiece;

import java.util.List;

/**
 * A test engine that passes every call to another one; a test overrides only the step it
 * changes (a blocked chunk, a missing model id, larger prompts).
 *
 * <p>Only {@link #diarize(CallState, float[])} reaches the inner engine: the capped and
 * speech-gated variants come back to it through the interface's defaults, so that an
 * override of that one method sees every chunk, and {@link #keepingFinalPieces()} is this
 * engine itself. A wrapped engine therefore runs without a speaker cap, without the app's
 * speech regions and without final pieces. That is what the fake engines wrapped here do
 * anyway; do not wrap the real engine where those matter.
 */
public abstract class DelegatingInference implements ChunkInference {

    protected final ChunkInference inner;

    protected DelegatingInference(ChunkInference inner) {
        this.inner = inner;
    }

    @Override
    public int sampleRate() {
        return inner.sampleRate();
    }

    @Override
    public int chunkSamples() {
        return inner.chunkSamples();
    }

    @Override
    public String modelId() {
        return inner.modelId();
    }

    @Override
    public double joinGapSeconds() {
        return inner.joinGapSeconds();
    }

    @Override
    public IdentifySpec identifySpec() {
        return inner.identifySpec();
    }

    @Override
    public CallState diarize(CallState state, float[] chunk) {
        return inner.diarize(state, chunk);
    }

    @Override
    public LiveSpeech liveSpeech() {
        return inner.liveSpeech();
    }

    @Override
    public FinalLabels.Relabelled finalLabels(List<CallSegment> segments, List<FinalPiece> pieces) {
        return inner.finalLabels(segments, pieces);
    }
}
