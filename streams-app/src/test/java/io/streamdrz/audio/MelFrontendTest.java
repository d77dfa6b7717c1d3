package io.streamdrz.audio;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The recipe's parts, independently of any model (the parity test checks the whole against PyTorch). */
class MelFrontendTest {

    private static final MelSpec SPEC = new MelSpec(16000, 512, 400, 160, 80, 20.0, 8000.0, 1e-6);

    @Test
    void framesAreSamplesOverHop() {
        MelFrontend f = new MelFrontend(SPEC);
        assertEquals(0, f.frames(159));
        assertEquals(1, f.frames(160));
        assertEquals(100, f.frames(16000));
        assertEquals(100 * 80, f.compute(new float[16000 + 159]).length);
    }

    @Test
    void silenceIsTheLogFloor() {
        float[] feats = new MelFrontend(SPEC).compute(new float[1600]);
        for (float v : feats) {
            assertEquals((float) Math.log(1e-6f), v, 1e-6);
        }
    }

    @Test
    void onlyFramesWithoutASingleNonZeroSampleTakeTheSilentShortcut() {
        MelFrontend f = new MelFrontend(SPEC);
        float[] x = new float[1600];
        x[810] = 0.5f;                          // inside frames 3 .. 5 (frame t covers [160 t, 160 t + 400))
        float[] feats = f.compute(x);
        float floor = (float) Math.log((float) 0.0 + 1e-6f);
        for (int t = 0; t < 10; t++) {
            boolean touched = t * 160 <= 810 && 810 < t * 160 + 400;
            float first = feats[t * 80];
            if (touched) {
                assertTrue(first > floor, "frame " + t);
            } else {
                assertEquals(floor, first, 0.0f, "frame " + t);
            }
        }
    }

    @Test
    void filterbankIsHtkTrianglesWithPeakOne() {
        float[][] fb = MelFrontend.filterbank(SPEC);
        assertEquals(80, fb.length);
        assertEquals(257, fb[0].length);
        for (float[] filter : fb) {
            float max = 0;
            for (float w : filter) {
                assertTrue(w >= 0 && w <= 1);
                max = Math.max(max, w);
            }
            // the peak falls between bins: close to, never above, 1
            assertTrue(max > 0.3, "filter has a peak");
        }
        assertEquals(2595 * Math.log10(1 + 1000 / 700.0), MelFrontend.hzToMel(1000), 1e-9);
        assertEquals(1000, MelFrontend.melToHz(MelFrontend.hzToMel(1000)), 1e-9);
        // nothing below f_min: bin 0 (0 Hz) is in no filter
        for (float[] filter : fb) {
            assertEquals(0f, filter[0]);
        }
    }

    @Test
    void aToneLightsUpTheBandsAroundItsFrequency() {
        float[] x = new float[16000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.5 * Math.sin(2 * Math.PI * 1000 * i / 16000.0));
        }
        MelFrontend f = new MelFrontend(SPEC);
        float[] feats = f.compute(x);
        float[][] fb = MelFrontend.filterbank(SPEC);
        int bin = 1000 * 512 / 16000;   // 32
        int frame = 50;
        int best = 0;
        for (int m = 1; m < 80; m++) {
            if (feats[frame * 80 + m] > feats[frame * 80 + best]) {
                best = m;
            }
        }
        assertTrue(fb[best][bin] > 0, "band " + best + " covers 1 kHz");
        // the last frame reaches past the end and is zero padded, like the first frames of silence would not be
        assertTrue(feats[99 * 80 + best] > Math.log(1e-6) + 5);
    }

    @Test
    void offsetsAndOutputOffsetsAreHonoured() {
        float[] x = new float[3200];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i * 0.3) * (i % 7) / 7f;
        }
        MelFrontend f = new MelFrontend(SPEC);
        float[] part = java.util.Arrays.copyOfRange(x, 800, 2400);
        float[] expected = f.compute(part);
        float[] out = new float[5 + expected.length];
        f.compute(x, 800, 1600, out, 5);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], out[5 + i]);
        }
    }
}
