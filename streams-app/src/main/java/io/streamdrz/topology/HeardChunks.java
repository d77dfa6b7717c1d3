package io.streamdrz.topology;

import io.streamdrz.inference.SpeechRegion;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands the speech of a whole chunk from the {@link LiveLabeler}, whose VAD stream heard
 * it as the audio came, to the {@link ChunkDiarizationProcessor}'s final run of that chunk,
 * so the VAD hears each sample once with live labels on. The labeler hears a chunk's last
 * frame before the assembler cuts the chunk, on the same stream thread, so the speech is
 * there when the final run needs it; when it is not (after a restart, a gap, or for a
 * call not at the model's rate), the final run's own VAD decides, with the same result.
 *
 * <p>In memory, one entry per call at most; shared by the tasks of one topology (a call
 * belongs to one task, so entries never collide).
 */
final class HeardChunks {

    private record Heard(int chunk, List<SpeechRegion> speech) {
    }

    private final Map<String, Heard> byCall = new ConcurrentHashMap<>();

    void put(String callId, int chunk, List<SpeechRegion> speech) {
        byCall.put(callId, new Heard(chunk, List.copyOf(speech)));
    }

    /** The speech of the call's chunk {@code chunk}, once; null when it was not heard whole. */
    List<SpeechRegion> take(String callId, int chunk) {
        Heard h = byCall.remove(callId);
        return h != null && h.chunk() == chunk ? h.speech() : null;
    }

    void forget(String callId) {
        byCall.remove(callId);
    }

    int size() {
        return byCall.size();
    }
}
