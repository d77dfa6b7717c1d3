package io.streamdrz.topology;

import java.util.List;
import java.util.Objects;

/**
 * What the topology needs from the inference engine: diarize one chunk of one call,
 * given what the engine kept about that call after the previous chunk.
 *
 * <p>The engine owns the streaming recipe (speaker prompts, mapping chunk-local labels
 * to call labels, chunk-relative to call-relative time, merging a segment with the
 * same speaker's segment across a chunk boundary); the topology owns where the state
 * lives (a changelogged store), when chunks are cut, and when segments are final
 * enough to emit. Implementations must be thread-safe: every stream thread of the
 * application calls the same instance, which is where concurrent calls can be batched
 * into one model run.
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
     * merged into one. A segment that ends more than this before the end of the latest
     * chunk can no longer change.
     */
    double joinGapSeconds();

    /**
     * Diarizes the next chunk of a call.
     *
     * @param state the call's state after its previous chunk ({@link State#initial()} for the first); its
     *              {@link State#segments()} are the segments that may still be extended
     * @param chunk the chunk's samples, mono, at {@link #sampleRate()}: {@link #chunkSamples()} of them,
     *              fewer only for the call's last chunk
     * @return the state after the chunk: {@link State#chunkIndex()} one higher, and as segments those of
     *         {@code state} (possibly extended) followed by the chunk's new ones, all in call time
     */
    State diarize(State state, float[] chunk);

    /**
     * {@link #diarize(State, float[])} with this call's own speaker cap (the producer's
     * {@code expectedSpeakers} hint) instead of the engine's.
     *
     * @param maxSpeakers at most this many speakers in the call; 0: the engine's own cap
     */
    default State diarize(State state, float[] chunk, int maxSpeakers) {
        return diarize(state, chunk);
    }

    /**
     * What the engine keeps about one call between chunks.
     *
     * @param chunkIndex index of the call's next chunk
     * @param labels     call-level speaker labels handed out so far (label 0 is speaker A)
     * @param prompts    clean speech per known speaker, used to recognise them in later chunks
     * @param segments   segments in call time
     */
    record State(int chunkIndex, int labels, List<Prompt> prompts, List<Segment> segments) {

        public State {
            prompts = List.copyOf(prompts);
            segments = List.copyOf(segments);
        }

        /** A call before its first chunk. */
        public static State initial() {
            return new State(0, 0, List.of(), List.of());
        }

        public State withSegments(List<Segment> newSegments) {
            return new State(chunkIndex, labels, prompts, newSegments);
        }
    }

    /**
     * A speaker prompt.
     *
     * @param label        call-level speaker label
     * @param samples      clean speech of that speaker at the model's rate (not copied)
     * @param cleanSeconds how long the clean region was it came from
     * @param lastChunk    the latest chunk in which the speaker spoke
     * @param voice        the speaker's voice profile (a sum of voice embeddings), null before it has one
     * @param voiceFrames  frames summed in {@code voice}
     */
    record Prompt(int label, float[] samples, double cleanSeconds, int lastChunk, double[] voice, int voiceFrames) {

        public Prompt {
            Objects.requireNonNull(samples, "samples");
        }

        /** A prompt without a voice profile. */
        public Prompt(int label, float[] samples, double cleanSeconds, int lastChunk) {
            this(label, samples, cleanSeconds, lastChunk, null, 0);
        }
    }

    /**
     * A stretch of speech in call time.
     *
     * @param start      seconds from the call's first sample
     * @param end        seconds from the call's first sample, after {@code start}
     * @param label      call-level speaker label
     * @param confidence the model's confidence, 0..1
     */
    record Segment(double start, double end, int label, double confidence) {
    }
}
