package io.streamdrz.topology;

import io.streamdrz.inference.IdentifySpec;
import io.streamdrz.inference.LiveSpeech;
import io.streamdrz.inference.SpeechRegion;
import io.streamdrz.recipe.CallSegment;
import io.streamdrz.recipe.CallState;
import io.streamdrz.recipe.FinalLabels;
import io.streamdrz.recipe.FinalPiece;
import io.streamdrz.recipe.LiveWindow;
import io.streamdrz.recipe.SegmentStitcher;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the topology needs from the inference engine: diarize one chunk of one call,
 * given what the engine kept about that call after the previous chunk.
 *
 * <p>The engine owns the streaming recipe and its per-call state, {@link CallState}
 * (speaker prompts, mapping chunk-local labels to call labels, chunk-relative to
 * call-relative time, a segment's whole life in {@link SegmentStitcher}); the topology
 * owns where the state lives (a changelogged store, through {@link CallStateCodec}) and
 * when chunks are cut, and emits a segment once {@link #isFinal} says it is.
 * Implementations must be thread-safe: every stream thread of the application calls the
 * same instance, which is where concurrent calls can be batched into one model run.
 */
public interface ChunkInference {

    /** Samples per second of the audio {@link #diarize} takes (the model's rate). */
    int sampleRate();

    /** Samples in every chunk but a call's last, at {@link #sampleRate()}. */
    int chunkSamples();

    /** Identifier of the model, written into every segment. */
    String modelId();

    /**
     * How far apart, in seconds, two segments of the same speaker may be and still be
     * merged into one.
     */
    double joinGapSeconds();

    /** How call speakers are judged to be enrolled voices (the model contract's {@code identify.*}). */
    IdentifySpec identifySpec();

    /**
     * Whether {@code segment} can no longer change once the call is in state {@code after}:
     * the other half of the engine's merge rule, which {@link SegmentStitcher} owns.
     */
    default boolean isFinal(CallSegment segment, CallState after) {
        return SegmentStitcher.isFinal(segment.end(), after.chunkIndex(), chunkSamples(), sampleRate(), joinGapSeconds());
    }

    /**
     * Diarizes the next chunk of a call.
     *
     * @param state the call's state after its previous chunk (a new {@link CallState} for the first); its
     *              {@link CallState#segments()} are the segments that may still be extended. Not changed.
     * @param chunk the chunk's samples, mono, at {@link #sampleRate()}: {@link #chunkSamples()} of them,
     *              fewer only for the call's last chunk
     * @return the state after the chunk: {@link CallState#chunkIndex()} one higher, and as segments those of
     *         {@code state} (possibly extended) followed by the chunk's new ones, all in call time
     */
    CallState diarize(CallState state, float[] chunk);

    /**
     * {@link #diarize(CallState, float[])} with this call's own speaker cap (the producer's
     * {@code expectedSpeakers} hint) instead of the engine's.
     *
     * @param speakerCap at most this many speakers in the call; 0: the engine's own cap
     */
    default CallState diarize(CallState state, float[] chunk, int speakerCap) {
        return diarize(state, chunk);
    }

    /**
     * {@link #diarize(CallState, float[], int)} of a chunk whose speech the call's live VAD
     * stream already heard ({@link LiveSpeech#wholeChunk}): the regions the engine's own VAD
     * would find in the chunk, so it need not run again. An engine without a speech gate
     * ignores them.
     *
     * @param speech the chunk's speech regions, in seconds from its start; null: the engine's VAD decides
     */
    default CallState diarize(CallState state, float[] chunk, int speakerCap, List<SpeechRegion> speech) {
        return diarize(state, chunk, speakerCap);
    }

    /**
     * This engine, keeping in the state {@link #diarize} returns each chunk's pieces for the
     * final pass ({@link CallState#finalPieces()}), which revised labels need; an engine
     * without a final pass returns itself.
     */
    default ChunkInference keepingFinalPieces() {
        return this;
    }

    /**
     * A whole call's labels decided again at its end ({@link FinalLabels}), from the pieces
     * its chunks left in {@link CallState#finalPieces()}; the segments as they are when the
     * model has no final pass.
     *
     * @param segments the call's final segments, call time
     * @param pieces   every chunk's pieces, in chunk order
     */
    default FinalLabels.Relabelled finalLabels(List<CallSegment> segments, List<FinalPiece> pieces) {
        return FinalLabels.unchanged(segments);
    }

    /** Samples of the newest audio a live window looks at (at most a chunk). */
    default int windowSamples() {
        return chunkSamples();
    }

    /**
     * A live window of a call ({@link LiveWindow}).
     *
     * @param state      the call's state after its last final chunk; not changed
     * @param audio      the call's newest audio at {@link #sampleRate()}, at most {@link #windowSamples()}
     * @param start      call time, in seconds, of {@code audio}'s first sample
     * @param newest     seconds at the end of {@code audio} that no earlier window labelled
     * @param speech     where the call's VAD stream heard speech in {@code audio} (seconds from its
     *                   start), or null to let the engine's VAD decide
     * @param speakerCap the call's own speaker cap, 0 for the engine's
     */
    record Window(CallState state, float[] audio, double start, double newest, List<SpeechRegion> speech,
                  int speakerCap) {
    }

    /**
     * The provisional segments of a live window: those its run gives the newest audio, in
     * call time. The call state is not changed. The future may complete on another thread.
     */
    default CompletableFuture<List<CallSegment>> provisional(Window w) {
        try {
            CallState after = diarize(w.state(), w.audio(), w.speakerCap());
            return CompletableFuture.completedFuture(LiveWindow.newest(w.state(), after, w.start(),
                    w.audio().length / (double) sampleRate(), w.newest(), chunkSamples() / (double) sampleRate()));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * The VAD of one call's live windows, so that a window's speech is heard once as the
     * audio arrives instead of again in every window; null when the engine has no speech
     * gate.
     */
    default LiveSpeech liveSpeech() {
        return null;
    }
}
