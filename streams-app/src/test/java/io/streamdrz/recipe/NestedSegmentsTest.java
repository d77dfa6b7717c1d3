package io.streamdrz.recipe;

import io.streamdrz.inference.ChunkSegment;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The same cases as models/tests/test_prompts.py's drop_nested tests. */
class NestedSegmentsTest {

    private static final ChunkSegment TURN = new ChunkSegment(0.0, 4.0, 0, 0.9);
    private static final ChunkSegment INSIDE = new ChunkSegment(1.0, 1.6, 1, 0.3);
    private static final ChunkSegment EDGE = new ChunkSegment(3.5, 5.5, 1, 0.5);

    @Test
    void aSecondLabelInsideATurnIsDroppedAndOnlyThat() {
        List<ChunkSegment> all = List.of(TURN, INSIDE, EDGE);
        // 0.6 s wholly inside label 0's turn: dropped; the edge has 0.5 of its 2.0 s inside it
        assertEquals(List.of(TURN, EDGE), NestedSegments.drop(all, 0.5));
        assertEquals(List.of(TURN), NestedSegments.drop(all, 0.25));
        assertEquals(all, NestedSegments.drop(all, 2.0));
    }

    @Test
    void theLongerOfTwoStaysAndCoverCountsOnce() {
        ChunkSegment a = new ChunkSegment(0.0, 4.0, 0, 0.5);
        ChunkSegment b = new ChunkSegment(2.0, 5.0, 1, 0.5);    // 2 of its 3 s inside a
        assertEquals(List.of(a), NestedSegments.drop(List.of(a, b), 0.6));
        assertEquals(List.of(a, b), NestedSegments.drop(List.of(a, b), 0.7));
        ChunkSegment seg = new ChunkSegment(1.0, 2.0, 2, 0.5);
        ChunkSegment c1 = new ChunkSegment(0.0, 1.3, 0, 0.5);
        ChunkSegment c2 = new ChunkSegment(0.1, 1.3, 0, 0.5);
        assertEquals(List.of(c1, c2, seg), NestedSegments.drop(List.of(c1, c2, seg), 0.5));   // 0.3 s covered
        assertEquals(List.of(c1, c2), NestedSegments.drop(List.of(c1, c2, seg), 0.25));
        List<ChunkSegment> own = List.of(new ChunkSegment(0.0, 2.0, 0, 0.5), new ChunkSegment(0.5, 1.0, 0, 0.5));
        assertEquals(own, NestedSegments.drop(own, 0.5));
    }
}
