package io.streamdrz.topology;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class LiveAudioRingTest {

    private static float[] ramp(int from, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = from + i;
        }
        return out;
    }

    @Test
    void readsBackTheNewestSamplesAcrossTheRingsEndAndZeroWhatItNoLongerHolds() {
        LiveAudioRing ring = new LiveAudioRing(10);
        ring.write(0, ramp(0, 7));
        ring.write(7, ramp(7, 6));                  // samples 0..12: the ring holds 3..12, wrapped
        assertEquals(13, ring.end());
        assertArrayEquals(ramp(5, 8), ring.read(5, 13));
        assertArrayEquals(new float[]{0, 0, 3, 4}, ring.read(1, 5), "samples 1 and 2 were overwritten");
        assertArrayEquals(new float[]{12, 0, 0}, ring.read(12, 15), "nothing heard yet after 12");
    }

    @Test
    void aGapReadsAsSilenceAndAFrameLongerThanTheRingKeepsItsEnd() {
        LiveAudioRing ring = new LiveAudioRing(10);
        ring.write(0, ramp(0, 8));
        ring.write(11, ramp(11, 2));                // samples 8..10 never came
        assertArrayEquals(new float[]{6, 7, 0, 0, 0, 11, 12}, ring.read(6, 13));
        ring.write(13, ramp(13, 25));               // 13..37: only 28..37 fit
        assertArrayEquals(ramp(28, 10), ring.read(28, 38));
        assertArrayEquals(new float[]{0, 28}, ring.read(27, 29));
    }
}
