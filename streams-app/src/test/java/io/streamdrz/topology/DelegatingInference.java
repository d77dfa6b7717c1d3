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
