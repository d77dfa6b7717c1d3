package io.streamdrz.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where one call's live windows hear speech, with the VAD run once over the call's audio
 * as it arrives ({@link SileroVad.Stream}) instead of over every window again: windows a
 * second apart share most of their audio. Each window's regions come from the
 * probabilities of the VAD windows inside it.
 *
 * <p>The stream starts afresh at every chunk boundary, so what it hears of a chunk is what
 * the final run's VAD hears in that chunk alone. A stream that heard a whole chunk from its
 * first sample therefore already holds that chunk's speech ({@link #wholeChunk}), and the
 * final run need not run the VAD again. One owner at a time.
 */
public final class LiveSpeech {

    /** Probabilities of a stream's VAD windows, window 0 starting at model sample {@code base}. */
    private record Run(long base, float[] probs) {
        Run more(float[] next) {
            float[] all = Arrays.copyOf(probs, probs.length + next.length);
            System.arraycopy(next, 0, all, probs.length, next.length);
            return new Run(base, all);
        }
    }

    private final SileroVad vad;
    private final VadSpec spec;
    private final int rate;
    private final int window;
    private final int chunkSamples;
    private SileroVad.Stream stream;
    /** The stream's run so far, and the one before it when it ended at a chunk boundary. */
    private Run current;
    private Run previous;
    /** One past the last model sample the stream heard. */
    private long heard;
    private int wholeIndex = -1;
    private List<SpeechRegion> wholeSpeech;

    LiveSpeech(SileroVad vad, VadSpec spec, int rate, int chunkSamples) {
        if (chunkSamples % SileroVad.windowSamples(rate) != 0) {
            throw new IllegalArgumentException("a chunk of " + chunkSamples + " samples is not a whole number of "
                    + "VAD windows");
        }
        this.vad = vad;
        this.spec = spec;
        this.rate = rate;
        this.window = SileroVad.windowSamples(rate);
        this.chunkSamples = chunkSamples;
    }

    /**
     * The speech the stream heard in the call's model samples {@code [start, end)}, in
     * seconds from {@code start}; what it has not heard yet counts as no speech.
     */
    public List<SpeechRegion> regions(long start, long end) {
        List<float[]> parts = new ArrayList<>();
        long first = -1;
        for (Run r : current == null ? List.<Run>of() : previous == null ? List.of(current) : List.of(previous, current)) {
            int k0 = (int) Math.max(0, Math.floorDiv(start - r.base() + window - 1, window));
            int k1 = (int) Math.min(r.probs().length, Math.floorDiv(end - r.base(), window));
            if (k0 < k1) {
                first = first < 0 ? r.base() + (long) k0 * window : first;
                parts.add(Arrays.copyOfRange(r.probs(), k0, k1));
            }
        }
        double offset = (first - start) / (double) rate;
        List<SpeechRegion> out = new ArrayList<>();
        for (SpeechRegion r : SpeechRegion.fromVad(concat(parts), window / (double) rate, spec)) {
            out.add(new SpeechRegion(r.start() + offset, r.end() + offset));
        }
        return out;
    }

    /**
     * Hears {@code audio}, which starts at the call's model sample {@code start}: the part
     * not heard yet, or all of it after a gap (or audio heard again after a restart).
     */
    public void hear(float[] audio, long start) {
        long end = start + audio.length;
        if (stream == null || heard < start || heard > end) {
            restart(start, null);
        }
        while (heard < end) {
            long boundary = (Math.floorDiv(heard, chunkSamples) + 1) * chunkSamples;
            long upTo = Math.min(end, boundary);
            current = current.more(stream.push(Arrays.copyOfRange(audio, (int) (heard - start), (int) (upTo - start))));
            heard = upTo;
            if (heard == boundary) {
                finishChunk(boundary);
            }
        }
    }

    /** One past the last model sample heard, or -1 before any. */
    public long heardTo() {
        return stream == null ? -1 : heard;
    }

    /**
     * The speech of chunk {@code index} as the VAD hears that chunk alone, when this stream
     * heard all of it from its first sample; else null.
     */
    public List<SpeechRegion> wholeChunk(int index) {
        return index == wholeIndex ? wholeSpeech : null;
    }

    private void finishChunk(long boundary) {
        if (current.base() == boundary - chunkSamples) {
            wholeIndex = (int) (boundary / chunkSamples - 1);
            wholeSpeech = SpeechRegion.fromVad(current.probs(), window / (double) rate, spec);
        }
        restart(boundary, current);
    }

    private void restart(long start, Run before) {
        stream = vad.stream(rate);
        previous = before;
        current = new Run(start, new float[0]);
        heard = start;
    }

    private static float[] concat(List<float[]> parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p.length;
        }
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
