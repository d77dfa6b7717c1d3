package io.streamdrz.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FirstLabelsTest {

    @Test
    void eachFrameCountsOnceAtItsFirstLabelAndSilenceNotAtAll() {
        FirstLabels f = new FirstLabels(20);
        for (int i = 0; i < 100; i++) {          // 2 s of 20 ms frames, frame i produced at 1000 + 20 (i + 1)
            f.produced("c", i, 1000 + 20L * (i + 1));
        }
        f.labelled("c", 0, 1000, 2100, true);     // frames 0..49, read at 2100
        f.labelled("c", 500, 1500, 9000, false);  // frames 25..74: only 50..74 are new
        LatencyStats s = f.stats();
        assertEquals(50, s.count(), "frames 50..74 came first in a final segment, 75..99 are silence");
        assertEquals(2100 - 1020, s.max(), "frame 0 waited longest");
        assertEquals(2100 - 2000, s.percentile(1), "frame 49 the least");
        assertEquals(25 / 75.0, f.finalFirstShare(), 1e-9);
    }

    @Test
    void anUnknownCallIsIgnored() {
        FirstLabels f = new FirstLabels(20);
        f.labelled("nobody", 0, 1000, 5000, true);
        assertEquals(0, f.stats().count());
    }
}
