package io.streamdrz.topology;

/**
 * The newest samples of one call at its own rate, addressed by the call's sample number:
 * a live window reads the model's chunk length back from here, across the last chunk
 * boundary, without touching the audio store. In memory only: after a restart a call's
 * windows hear silence where the ring has not been refilled yet.
 */
final class LiveAudioRing {

    private final float[] ring;
    /** Sample number one past the newest sample written, and the first one ever written (-1: none). */
    private long end;
    private long first = -1;

    LiveAudioRing(int capacity) {
        this.ring = new float[capacity];
    }

    long end() {
        return end;
    }

    /** The oldest sample it holds that was written (not a restart's silence); {@link #end()} when none. */
    long start() {
        return first < 0 ? end : Math.max(first, end - ring.length);
    }

    /** Writes {@code samples} as the call's samples from {@code position} on. */
    void write(long position, float[] samples) {
        first = first < 0 ? position : Math.min(first, position);
        if (position > end) {
            clear(end, Math.min(position, end + ring.length));
        }
        for (int i = Math.max(0, samples.length - ring.length); i < samples.length; i++) {
            ring[index(position + i)] = samples[i];
        }
        end = Math.max(end, position + samples.length);
    }

    /** The call's samples {@code [from, to)}; zero where the ring no longer (or never) held them. */
    float[] read(long from, long to) {
        float[] out = new float[(int) (to - from)];
        long s = Math.max(from, Math.max(0, end - ring.length));
        long stop = Math.min(to, end);
        while (s < stop) {      // at most two copies: up to the ring's end, then from its start
            int at = index(s);
            int n = (int) Math.min(stop - s, ring.length - at);
            System.arraycopy(ring, at, out, (int) (s - from), n);
            s += n;
        }
        return out;
    }

    private void clear(long from, long to) {
        for (long s = from; s < to; s++) {
            ring[index(s)] = 0f;
        }
    }

    private int index(long sample) {
        return (int) Math.floorMod(sample, (long) ring.length);
    }
}
