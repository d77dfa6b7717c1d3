package io.streamdrz.recipe;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LiveWindowTest {

    @Test
    void theWindowsNewestAudioIsReadBackFromWhereTheRecipePlacedItToCallTime() {
        // After chunk 0 of 8 s the recipe places any chunk at t0 = 8 s. A window of the call's
        // audio from 3 s to 11 s sits at 8..16 s there; its newest second is 15..16 s, i.e. call
        // time 10..11 s.
        CallState before = new CallState(List.of(), 2, 1, List.of(new CallSegment(6.0, 8.0, 1, 0.9, 0)));
        CallState after = new CallState(List.of(), 2, 2, List.of(
                new CallSegment(6.0, 8.0, 1, 0.9, 0),          // held open before the window: older
                new CallSegment(12.0, 14.5, 0, 0.8, 1),        // inside the window, before its newest second
                new CallSegment(14.8, 15.4, 1, 0.7, 1),        // across the newest second's start
                new CallSegment(15.6, 16.0, 0, 0.6, 1)));
        List<CallSegment> got = LiveWindow.newest(before, after, 3.0, 8.0, 1.0, 8.0);
        assertEquals(2, got.size());
        assertSegment(got.get(0), 10.0, 10.4, 1);
        assertSegment(got.get(1), 10.6, 11.0, 0);
        assertEquals(1, got.get(0).chunkIndex(), "labelled from the state of chunk 1 on");
    }

    private static void assertSegment(CallSegment s, double start, double end, int label) {
        assertEquals(start, s.start(), 1e-9);
        assertEquals(end, s.end(), 1e-9);
        assertEquals(label, s.label());
    }
}
