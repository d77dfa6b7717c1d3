package io.streamdrz.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Latency from audio produced to the first label that covers it: for every frame of
 * every call, when it was produced, and when the first segment whose span holds the
 * frame's middle was read. The latencies are those of frames whose first label was a
 * provisional one; frames that only a final segment labelled (the live window heard no
 * one there) are counted apart ({@link #finalFirstShare}), and frames no segment ever
 * covers (silence) not at all. Thread-safe: the producer and the reader report from
 * their own threads.
 */
public final class FirstLabels {

    private final int frameMs;
    private final Map<String, long[]> producedAt = new HashMap<>();
    private final Map<String, BitSet> labelled = new HashMap<>();
    private final List<Long> latencies = new ArrayList<>();
    private long byFinal;

    public FirstLabels(int frameMs) {
        this.frameMs = frameMs;
    }

    /** Frame {@code sequence} of the call (audio from {@code sequence * frameMs}) was produced at {@code atMs}. */
    public synchronized void produced(String callId, long sequence, long atMs) {
        long[] times = producedAt.getOrDefault(callId, new long[0]);
        if (sequence >= times.length) {
            times = Arrays.copyOf(times, (int) Math.max(sequence + 1, times.length * 2L));
            producedAt.put(callId, times);
        }
        times[(int) sequence] = atMs;
    }

    /** A segment of call time {@code [startMs, endMs)} was read at {@code readAtMs}. */
    public synchronized void labelled(String callId, long startMs, long endMs, long readAtMs, boolean provisional) {
        long[] times = producedAt.get(callId);
        if (times == null) {
            return;
        }
        BitSet done = labelled.computeIfAbsent(callId, k -> new BitSet());
        long first = Math.max(0, (startMs - frameMs / 2 + frameMs - 1) / frameMs);
        for (long i = first; i * frameMs + frameMs / 2 < endMs && i < times.length; i++) {
            if (!done.get((int) i) && times[(int) i] > 0) {
                done.set((int) i);
                if (provisional) {
                    latencies.add(readAtMs - times[(int) i]);
                } else {
                    byFinal++;
                }
            }
        }
    }

    /** The latencies so far, of the frames a provisional segment labelled first. */
    public synchronized LatencyStats stats() {
        return new LatencyStats(latencies.stream().mapToLong(Long::longValue).toArray());
    }

    /** Of the frames labelled, the share whose first label was a final one. */
    public synchronized double finalFirstShare() {
        long all = latencies.size() + byFinal;
        return all == 0 ? 0 : byFinal / (double) all;
    }
}
