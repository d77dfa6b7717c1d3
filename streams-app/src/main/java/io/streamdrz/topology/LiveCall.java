package io.streamdrz.topology;

import io.streamdrz.inference.LiveSpeech;
import io.streamdrz.recipe.CallSegment;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the {@link LiveLabeler} keeps of one call, in memory only (provisional labels
 * carry no guarantee across restarts; final ones do): the call's newest audio, where its
 * provisional labels have reached, and its one window in flight. One window at a time
 * per call: when windows take longer than the hop, the next one simply covers more new
 * audio, so a slow engine makes live labels later, never piles up work.
 */
final class LiveCall {

    /** A window handed to the engine: what its records will carry, and its labels to come. */
    record Pending(int revision, long timestamp, long finalThroughMs, CompletableFuture<List<CallSegment>> labels) {
    }

    final int rate;
    final LiveAudioRing audio;
    final LiveSpeech speech;
    /**
     * For a call not at the model's rate: its audio converted chunk by chunk as the final
     * runs get it, and the newest of that; null for a call at the model's rate.
     */
    final ChunkResampler resampler;
    final LiveAudioRing modelAudio;
    /** Index of the chunk the call's newest audio belongs to (the next final chunk). */
    int chunk;
    /** Call sample (at {@link #rate}) up to which audio has been given provisional labels or handed to a window. */
    long labelledTo;
    int revision;
    Pending inFlight;
    /** The timestamp of the newest frame, for the records of the next window. */
    long timestamp;

    LiveCall(int rate, int capacity, LiveSpeech speech, ChunkResampler resampler) {
        this.rate = rate;
        this.audio = new LiveAudioRing(capacity);
        this.speech = speech;
        this.resampler = resampler;
        this.modelAudio = resampler == null ? null : new LiveAudioRing(resampler.chunkSamples());
    }

    double seconds(long sample) {
        return sample / (double) rate;
    }
}
