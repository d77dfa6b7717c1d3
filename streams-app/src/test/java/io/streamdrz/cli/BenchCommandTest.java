package io.streamdrz.cli;

import io.streamdrz.audio.AudioClip;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BenchCommandTest {

    @Test
    void callsAreCutOrLoopedToTheAskedLength() {
        AudioClip clip = new AudioClip(new float[]{1, 2, 3, 4}, 4);   // 1 s at 4 Hz
        assertArrayEquals(new float[]{1, 2}, BenchCommand.withLength(clip, 0.5).samples());
        assertArrayEquals(new float[]{1, 2, 3, 4, 1, 2, 3, 4, 1, 2}, BenchCommand.withLength(clip, 2.5).samples());
        assertEquals(4, BenchCommand.withLength(clip, 2.5).sampleRate());
    }

    @Test
    void theDefaultRampGrows() {
        for (int i = 1; i < BenchCommand.DEFAULT_RAMP.size(); i++) {
            assertEquals(true, BenchCommand.DEFAULT_RAMP.get(i) > BenchCommand.DEFAULT_RAMP.get(i - 1));
        }
    }
}
