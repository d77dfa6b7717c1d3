package io.streamdrz.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where one call's live windows hear speech, with the VAD run once over the call's audio
 * as it arrives ({@link SileroVad.Stream}) instead of over every window again: windows a
 * second apart share seven eighths of their audio. Each window's regions come from the
 * probabilities of the VAD windows inside it. Final chunks still run the VAD on the chunk
 * alone, so final segments do not depend on this. One owner at a time.
 */
public final class LiveSpeech {

    private final SileroVad vad;
    private final VadSpec spec;
    private final int rate;
    private final int window;
    private SileroVad.Stream stream;
    /** Model sample number where the stream started, and one past the last sample it heard. */
    private long base;
    private long heard;
    /** Probabilities of the stream's windows from number {@code first} on. */
    private float[] probs = new float[0];
    private long first;

    LiveSpeech(SileroVad vad, VadSpec spec, int rate) {
        this.vad = vad;
        this.spec = spec;
        this.rate = rate;
        this.window = SileroVad.windowSamples(rate);
    }

    /**
     * The speech in a live window, in seconds from its start.
     *
     * @param audio the window at the model's rate
     * @param start the call's sample number (at the model's rate) of {@code audio[0]}
     */
    public List<SpeechRegion> regions(float[] audio, long start) {
        long end = start + audio.length;
        if (stream == null || heard < start || heard > end) {
            restart(start);     // first window, a gap, or audio heard again after a restart
        }
        append(stream.push(Arrays.copyOfRange(audio, (int) (heard - start), audio.length)));
        heard = end;
        long k0 = Math.max(first, Math.floorDiv(start - base + window - 1, window));
        int from = (int) (k0 - first);
        drop(from);
        double offset = (base + k0 * window - start) / (double) rate;
        List<SpeechRegion> out = new ArrayList<>();
        for (SpeechRegion r : SpeechRegion.fromVad(probs, window / (double) rate, spec)) {
            out.add(new SpeechRegion(r.start() + offset, r.end() + offset));
        }
        return out;
    }

    private void restart(long start) {
        stream = vad.stream(rate);
        base = start;
        heard = start;
        probs = new float[0];
        first = 0;
    }

    private void append(float[] more) {
        float[] all = Arrays.copyOf(probs, probs.length + more.length);
        System.arraycopy(more, 0, all, probs.length, more.length);
        probs = all;
    }

    /** Forgets the first {@code n} probabilities: no later window reaches back to them. */
    private void drop(int n) {
        probs = Arrays.copyOfRange(probs, n, probs.length);
        first += n;
    }
}
